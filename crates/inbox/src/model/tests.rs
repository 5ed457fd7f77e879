use super::*;
use switchboard_protocol::auth::{AgentProfile, Role};

fn msg(seq: u64, author: Author, text: &str) -> ChatMessage {
    ChatMessage {
        seq,
        author,
        client_id: None,
        text: text.into(),
        at: format!("2026-11-24T10:00:{seq:02}Z"),
        file: None,
    }
}

/// The signed-in agent of these tests.
fn bo() -> AgentProfile {
    AgentProfile {
        id: 1,
        name: "Bo".into(),
        email: "bo@x.io".into(),
        role: Role::Agent,
        avatar_url: None,
        live_chat: true,
    }
}

fn detail(id: i64, messages: Vec<ChatMessage>) -> ConversationDetail {
    ConversationDetail {
        id,
        site: "demo".into(),
        state: ConversationState::Active,
        agent_id: Some(1),
        agent_name: None,
        attributes: Default::default(),
        page: Default::default(),
        transcript: vec![],
        messages,
        created_at: String::new(),
        first_seen: String::new(),
    }
}

fn offer(id: i64, secs: u64) -> AgentOut {
    AgentOut::Offer {
        conversation: id,
        attributes: [("first_name".to_owned(), "Ada".to_owned())].into(),
        page: PageContext::default(),
        transcript: vec![
            Entry::Bot { card: "hi".into(), text: "How can we help?".into() },
            Entry::Visitor { card: "hi".into(), text: "Pricing".into() },
        ],
        expires_in_secs: secs,
        transferred_by: None,
    }
}

fn accepted(inbox: &mut Inbox, id: i64) -> Vec<Reaction> {
    inbox.apply(offer(id, 100), 0.0, true);
    inbox.apply(AgentOut::State { conversation: id, state: ConversationState::Active }, 0.0, true)
}

#[test]
fn an_offer_counts_down_from_the_servers_seconds_and_never_below_zero() {
    let mut inbox = Inbox::default();
    let effects = inbox.apply(offer(7, 100), 1_000.0, true);
    assert_eq!(effects, vec![Reaction::Offered { conversation: 7, visitor: "Ada".into() }]);
    let o = &inbox.offers[0];
    assert_eq!(o.seconds_left(1_000.0), 100);
    assert_eq!(o.seconds_left(2_500.0), 99);
    assert_eq!(o.seconds_left(101_000.0), 0);
    assert_eq!(o.seconds_left(500_000.0), 0);
    assert_eq!(o.first_question(), Some("Pricing"));
}

#[test]
fn an_offer_sent_again_after_a_reconnect_is_not_a_second_offer() {
    let mut inbox = Inbox::default();
    inbox.apply(offer(7, 100), 0.0, true);
    assert!(inbox.apply(offer(7, 40), 60_000.0, true).is_empty(), "no second sound");
    assert_eq!(inbox.offers.len(), 1);
    assert_eq!(inbox.offers[0].seconds_left(60_000.0), 40);
}

#[test]
fn accepting_turns_the_offer_into_a_followed_conversation() {
    let mut inbox = Inbox::default();
    let effects = accepted(&mut inbox, 7);
    assert_eq!(effects, vec![Reaction::Follow { conversation: 7, last_seq: 0 }]);
    assert!(inbox.offers.is_empty());
    assert_eq!(inbox.mine.len(), 1);
    assert!(inbox.mine[0].open());
    assert_eq!(inbox.mine[0].transcript.len(), 2, "the bot transcript comes along");
}

#[test]
fn a_withdrawn_offer_disappears_with_a_notice() {
    let mut inbox = Inbox::default();
    inbox.apply(offer(7, 100), 0.0, true);
    inbox.apply(AgentOut::Withdrawn { conversation: 7 }, 0.0, true);
    assert!(inbox.offers.is_empty());
    assert_eq!(inbox.notice, Some(Notice::Withdrawn { visitor: "Ada".into() }));
    // Taken back once its time was up: it timed out, not "went to someone else".
    inbox.apply(offer(8, 10), 0.0, true);
    inbox.apply(AgentOut::Withdrawn { conversation: 8 }, 9_500.0, true);
    assert_eq!(inbox.notice, Some(Notice::TimedOut { visitor: "Ada".into() }));
}

#[test]
fn messages_are_kept_in_sequence_order_each_once() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    for seq in [3, 1, 2, 3, 1] {
        inbox.apply(
            AgentOut::Message { conversation: 7, message: msg(seq, Author::Visitor, &format!("m{seq}")) },
            0.0,
            true,
        );
    }
    let seqs: Vec<u64> = inbox.mine[0].messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn unread_visitor_messages_and_offers_count_in_the_title_until_seen() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    assert_eq!(inbox.title("Inbox"), "Inbox");
    let effects =
        inbox.apply(AgentOut::Message { conversation: 7, message: msg(1, Author::Visitor, "hi") }, 0.0, true);
    assert_eq!(effects, vec![Reaction::VisitorWrote { conversation: 7 }]);
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(2, Author::Agent, "hello") }, 0.0, true);
    inbox.apply(offer(8, 100), 0.0, true);
    assert_eq!(inbox.mine[0].unread(), 1, "the agent's own messages are not unread");
    assert_eq!(inbox.title("Inbox"), "(2) Inbox");
    inbox.select(Some(7));
    assert_eq!(inbox.title("Inbox"), "(1) Inbox");
    // On screen but the tab hidden: still unread until the agent looks.
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(3, Author::Visitor, "?") }, 0.0, false);
    assert_eq!(inbox.title("Inbox"), "(2) Inbox");
    inbox.seen();
    assert_eq!(inbox.title("Inbox"), "(1) Inbox");
}

#[test]
fn a_transferred_conversation_leaves_the_inbox_with_a_notice() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    inbox.select(Some(7));
    inbox.apply(AgentOut::Transferred { conversation: 7, to: "Bob".into() }, 0.0, true);
    assert!(inbox.mine.is_empty());
    assert_eq!(inbox.selected, None);
    assert_eq!(inbox.notice, Some(Notice::Transferred { visitor: "Ada".into(), to: "Bob".into() }));
}

#[test]
fn a_welcome_after_a_reconnect_resumes_open_conversations_and_resends_pending_messages() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    accepted(&mut inbox, 8);
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(4, Author::Visitor, "hi") }, 0.0, true);
    inbox
        .mine
        .iter_mut()
        .find(|c| c.id == 7)
        .unwrap()
        .pending
        .push(Pending { client_id: "a1".into(), text: "on my way".into() });
    inbox.apply(AgentOut::State { conversation: 8, state: ConversationState::Ended }, 0.0, true);
    inbox.link = Link::Reconnecting;
    let profile = bo();
    let effects = inbox.apply(
        AgentOut::Welcome { agent: profile, available: true, missed_offers: None, epoch: Some("e1".into()) },
        0.0,
        true,
    );
    assert_eq!(
        effects,
        vec![
            Reaction::Follow { conversation: 7, last_seq: 4 },
            Reaction::Resend {
                conversation: 7,
                pending: vec![Pending { client_id: "a1".into(), text: "on my way".into() }],
                notes: vec![],
            },
        ],
        "the ended conversation is not followed again"
    );
    assert_eq!(inbox.link, Link::Open);
    // The confirmed copy replaces the pending one.
    let mut echoed = msg(5, Author::Agent, "on my way");
    echoed.client_id = Some("a1".into());
    inbox.apply(AgentOut::Message { conversation: 7, message: echoed }, 0.0, true);
    let c = inbox.mine.iter().find(|c| c.id == 7).unwrap();
    assert!(c.pending.is_empty());
    assert_eq!(c.messages.len(), 2);
}

#[test]
fn a_welcome_in_another_epoch_loads_each_conversation_again_from_the_start() {
    let mut inbox = Inbox::default();
    inbox.load(detail(7, vec![msg(1, Author::Visitor, "hi"), msg(2, Author::Agent, "hello")]));
    inbox.load(detail(8, vec![msg(1, Author::Visitor, "bye")]));
    inbox.apply(AgentOut::State { conversation: 8, state: ConversationState::Ended }, 0.0, true);
    let profile = bo();
    let welcome = |epoch: &str| AgentOut::Welcome {
        agent: profile.clone(),
        available: true,
        missed_offers: None,
        epoch: Some(epoch.into()),
    };
    // A reconnect in the same epoch resumes after what is held.
    assert_eq!(inbox.apply(welcome("e1"), 0.0, true), [Reaction::Follow { conversation: 7, last_seq: 2 }]);
    assert_eq!(inbox.apply(welcome("e1"), 0.0, true), [Reaction::Follow { conversation: 7, last_seq: 2 }]);
    // After a restore the numbers held may name other messages: from the start.
    assert_eq!(inbox.apply(welcome("e2"), 0.0, true), [Reaction::Follow { conversation: 7, last_seq: 0 }]);
    assert!(inbox.mine[0].messages.is_empty(), "what was held is dropped, to come again");
    assert_eq!(inbox.mine.len(), 1, "the ended conversation is in the past list, not held blank");
    inbox.apply(
        AgentOut::Message { conversation: 7, message: msg(2, Author::Visitor, "new since") },
        0.0,
        false,
    );
    assert_eq!(inbox.mine[0].unread(), 1, "a number read before is news in the new epoch");
    assert_eq!(inbox.epoch.as_deref(), Some("e2"));
}

#[test]
fn messages_refused_as_too_fast_go_again_once_after_a_moment() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    let pending = vec![
        Pending { client_id: "a1".into(), text: "one".into() },
        Pending { client_id: "a2".into(), text: "two".into() },
    ];
    inbox.mine.iter_mut().find(|c| c.id == 7).unwrap().pending.clone_from(&pending);
    let too_fast = || AgentOut::Error { code: ErrorCode::RateLimited, message: "slow down".into() };
    assert_eq!(inbox.apply(too_fast(), 0.0, true), [Reaction::RetryLater]);
    assert_eq!(inbox.apply(too_fast(), 0.0, true), [], "one retry for a burst of refusals");
    // One of them got through meanwhile.
    let mut echoed = msg(3, Author::Agent, "one");
    echoed.client_id = Some("a1".into());
    inbox.apply(AgentOut::Message { conversation: 7, message: echoed }, 0.0, true);
    assert_eq!(
        inbox.retry(),
        [Reaction::Resend { conversation: 7, pending: pending[1..].to_vec(), notes: vec![] }]
    );
    assert_eq!(inbox.apply(too_fast(), 0.0, true), [Reaction::RetryLater], "due again after the retry");
    // So does what the server failed to store.
    assert_eq!(inbox.retry().len(), 1);
    let failed =
        AgentOut::Error { code: ErrorCode::Internal, message: "the server failed; try again".into() };
    assert_eq!(inbox.apply(failed, 0.0, true), [Reaction::RetryLater]);
    // Other refusals do not retry.
    let other = AgentOut::Error { code: ErrorCode::BadMessage, message: "empty".into() };
    assert_eq!(inbox.retry().len(), 1);
    assert_eq!(inbox.apply(other, 0.0, true), []);
}

#[test]
fn loading_over_http_keeps_what_the_socket_delivered() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(3, Author::Visitor, "late") }, 0.0, true);
    inbox.load(ConversationDetail {
        first_seen: "2026-11-20T08:00:00Z".into(),
        ..detail(7, vec![msg(1, Author::Visitor, "a"), msg(2, Author::Agent, "b")])
    });
    let c = &inbox.mine[0];
    assert_eq!(c.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(c.first_seen, "2026-11-20T08:00:00Z");
}

#[test]
fn own_conversations_list_newest_activity_first() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 1);
    accepted(&mut inbox, 2);
    inbox.mine.iter_mut().for_each(|c| c.created_at = "2026-11-24T09:00:00Z".into());
    inbox.apply(AgentOut::Message { conversation: 1, message: msg(9, Author::Visitor, "new") }, 0.0, true);
    let order: Vec<i64> = inbox.mine_by_activity().iter().map(|c| c.id).collect();
    assert_eq!(order, vec![1, 2]);
}

#[test]
fn visitors_are_named_by_what_they_told() {
    let attrs = |pairs: &[(&str, &str)]| -> Attributes {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    assert_eq!(visitor_name(&attrs(&[("first_name", "Ada"), ("last_name", "Lovelace")]), 1), "Ada Lovelace");
    assert_eq!(visitor_name(&attrs(&[("email", "ada@x.io")]), 1), "ada@x.io");
    assert_eq!(visitor_name(&attrs(&[("first_name", "  ")]), 12), "#12");
}

#[test]
fn the_transcript_file_has_the_bot_part_then_the_live_chat() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    inbox.apply(
        AgentOut::Message { conversation: 7, message: msg(1, Author::Visitor, "<b>hi</b>") },
        0.0,
        true,
    );
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(2, Author::Agent, "hello") }, 0.0, true);
    inbox.apply(AgentOut::Message { conversation: 7, message: msg(3, Author::Note, "VIP") }, 0.0, true);
    let labels = TranscriptLabels {
        conversation: "Conversation",
        visitor: "Visitor",
        agent: "Agent",
        bot: "Bot",
        system: "System",
        note: "Private note",
    };
    let text = transcript_text(&inbox.mine[0], &labels);
    assert_eq!(
        text,
        "Conversation #7 (Ada)\n\nBot: How can we help?\nVisitor: Pricing\n\
         [2026-11-24T10:00:01Z] Visitor: <b>hi</b>\n[2026-11-24T10:00:02Z] Agent: hello\n\
         [2026-11-24T10:00:03Z] Private note: VIP\n"
    );
    assert_eq!(transcript_file_name(&inbox.mine[0]), "conversation-7.txt");
}

fn summary(id: i64, state: ConversationState) -> ConversationSummary {
    ConversationSummary {
        id,
        site: "demo".into(),
        state,
        agent_id: Some(1),
        agent_name: None,
        attributes: Default::default(),
        page: Default::default(),
        last_seq: 0,
        created_at: String::new(),
        last_activity: String::new(),
        preview: None,
        preview_note: false,
    }
}

#[test]
fn after_a_reconnect_the_servers_list_settles_what_was_missed() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 1); // still active
    accepted(&mut inbox, 2); // ended or transferred while offline
    inbox.apply(offer(3, 100), 0.0, true); // withdrawn while offline
    inbox.apply(offer(4, 100), 0.0, true); // still offered
    inbox.apply(offer(5, 100), 9_000.0, true); // arrived after the list was asked for
    let listed = [
        summary(1, ConversationState::Active),
        summary(4, ConversationState::Offered),
        summary(6, ConversationState::Active), // accepted in another tab while offline
    ];
    let (gone, missing) = inbox.reconcile(&listed, 5_000.0);
    assert_eq!(gone, vec![2]);
    assert_eq!(missing, vec![6]);
    let offers: Vec<i64> = inbox.offers.iter().map(|o| o.conversation).collect();
    assert_eq!(offers, vec![4, 5]);
    inbox.forget(2);
    assert_eq!(inbox.mine.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn an_offer_long_past_its_deadline_goes() {
    let mut inbox = Inbox::default();
    inbox.apply(offer(3, 10), 0.0, true);
    assert!(!inbox.expire(12_000.0));
    assert!(inbox.expire(15_001.0));
    assert!(inbox.offers.is_empty());
}

#[test]
fn a_conversation_loaded_afresh_has_nothing_unread() {
    let mut inbox = Inbox::default();
    inbox.load(detail(9, vec![msg(1, Author::Visitor, "a"), msg(2, Author::Visitor, "b")]));
    assert_eq!(inbox.title("Inbox"), "Inbox");
}

/// A private note is pending until its own copy comes back, is resent
/// after a reconnect as a note (not a message), and never counts as unread.
#[test]
fn a_note_is_pending_until_confirmed_and_resent_as_a_note() {
    let mut inbox = Inbox::default();
    accepted(&mut inbox, 7);
    let note = Pending { client_id: "n1".into(), text: "VIP customer".into() };
    inbox.mine[0].pending_notes.push(note.clone());
    // A message of this agent's with the same client id is not the note.
    let mut reply = msg(1, Author::Agent, "hello");
    reply.client_id = Some("n1".into());
    inbox.apply(AgentOut::Message { conversation: 7, message: reply }, 0.0, true);
    assert_eq!(inbox.mine[0].pending_notes, std::slice::from_ref(&note));
    assert_eq!(
        inbox.retry(),
        [Reaction::Resend { conversation: 7, pending: vec![], notes: vec![note.clone()] }]
    );
    let mut stored = msg(2, Author::Note, "VIP customer");
    stored.client_id = Some("n1".into());
    inbox.apply(AgentOut::Message { conversation: 7, message: stored }, 0.0, false);
    assert!(inbox.mine[0].pending_notes.is_empty());
    assert_eq!(
        inbox.mine[0].messages.iter().map(|m| m.author).collect::<Vec<_>>(),
        [Author::Agent, Author::Note]
    );
    assert_eq!(inbox.mine[0].unread(), 0, "a note is no visitor message");
    assert!(inbox.retry().is_empty());
}

/// Switched to unavailable by the server after missed offers: the inbox
/// knows why until the availability changes again, also after a reload.
#[test]
fn missed_offers_that_switched_the_agent_off_are_shown_until_availability_changes() {
    let mut inbox = Inbox::default();
    inbox.apply(
        AgentOut::Welcome { agent: bo(), available: true, missed_offers: None, epoch: None },
        0.0,
        true,
    );
    assert_eq!((inbox.available, inbox.away), (true, None));
    inbox.apply(AgentOut::Availability { available: false, missed_offers: Some(2) }, 0.0, true);
    assert_eq!((inbox.available, inbox.away), (false, Some(2)));
    // "I'm back" (or any other change) clears it.
    inbox.apply(AgentOut::Availability { available: true, missed_offers: None }, 0.0, true);
    assert_eq!((inbox.available, inbox.away), (true, None));
    // A reload while away says why again.
    let mut reloaded = Inbox::default();
    reloaded.apply(
        AgentOut::Welcome { agent: bo(), available: false, missed_offers: Some(3), epoch: None },
        0.0,
        true,
    );
    assert_eq!((reloaded.available, reloaded.away), (false, Some(3)));
}

/// The alert that is not missed: it sounds again every 10 s while an offer
/// waits, not more often, and stops once it is answered or moves on; the
/// title flashes the offer every other second meanwhile.
#[test]
fn the_offer_alert_repeats_every_ten_seconds_until_the_offer_is_answered() {
    let mut inbox = Inbox::default();
    assert!(inbox.remind(50_000.0).is_empty(), "no offer, no alert");
    inbox.apply(offer(7, 100), 60_000.0, true);
    assert!(inbox.remind(60_000.0).is_empty(), "it just sounded");
    assert!(inbox.remind(69_999.0).is_empty());
    assert_eq!(inbox.remind(70_000.0), [7]);
    assert!(inbox.remind(75_000.0).is_empty(), "not again before 10 s more");
    inbox.apply(offer(8, 100), 76_000.0, true);
    assert!(inbox.remind(85_000.0).is_empty(), "a new offer sounded at 76 s");
    assert_eq!(inbox.remind(86_000.0), [7, 8]);
    // Flashing: the first offer on odd seconds, the count on even ones.
    assert_eq!(inbox.flashing(87_000.0).map(|o| o.conversation), Some(7));
    assert!(inbox.flashing(88_500.0).is_none());
    // Answered (accepted, declined, or moved on): silence.
    accepted(&mut inbox, 7);
    inbox.apply(AgentOut::Withdrawn { conversation: 8 }, 90_000.0, true);
    assert!(inbox.remind(200_000.0).is_empty());
    assert!(inbox.flashing(201_000.0).is_none());
}
