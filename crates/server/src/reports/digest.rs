//! A block of conversations' facts, folded once and packed: what a report
//! reads instead of the facts themselves for conversations that have
//! ended (`chat_digests`, one row per [`BLOCK`] conversations by id).
//!
//! Reading ten facts a conversation out of SQLite costs about a
//! microsecond each; a packed [`Chat`] is a few dozen bytes decoded in
//! place. The packing is this module's own: unsigned LEB128 varints
//! (signed ones zigzagged), times relative to the hand-off, strings with
//! their length. A body starts with its [`VERSION`]; one this version does
//! not know, or that does not decode, is not used (the report reads the
//! block's facts instead), so a change of format needs no migration.
//!
//! Pure: no storage. [`super::seal`] writes digests, [`super::each_chat`]
//! reads them.

use switchboard_protocol::admin::EndedBy;

use super::chat::{Answer, Chat, End, Offer, Stretch};
use crate::ids::{AgentId, ConversationId, SiteId};

/// Conversations a digest holds (by id: block `b` holds `b * BLOCK` to
/// `b * BLOCK + BLOCK - 1`). The migration's triggers divide by it too.
pub const BLOCK: i64 = 1024;

/// The format of the bodies written.
pub const VERSION: u8 = 1;

/// The block a conversation belongs to.
pub fn block_of(id: ConversationId) -> i64 {
    id.get().div_euclid(BLOCK)
}

/// The first and last conversation id of `block`.
pub fn ids_of(block: i64) -> (i64, i64) {
    (block * BLOCK, block * BLOCK + BLOCK - 1)
}

// Flags of one chat.
const HANDED_OFF: u8 = 1;
const TEAM: u8 = 1 << 1;
const FIRST_REPLY: u8 = 1 << 2;
const FIRST_REPLY_AGENT: u8 = 1 << 3;
const FALLBACK: u8 = 1 << 4;
const END: u8 = 1 << 5;
const END_BY: u8 = 1 << 6;
const END_MESSAGES: u8 = 1 << 7;

/// Packs `chats` (ended ones, in id order) and `holes` (the block's
/// conversations that have not ended, whose facts a report reads).
pub fn encode(chats: &[Chat], holes: &[ConversationId]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + chats.len() * 48);
    out.push(VERSION);
    put_u(&mut out, holes.len() as u64);
    let mut prev = 0;
    for h in holes {
        put_i(&mut out, h.get() - prev);
        prev = h.get();
    }
    put_u(&mut out, chats.len() as u64);
    let mut prev = 0;
    for c in chats {
        put_i(&mut out, c.id.get() - prev);
        prev = c.id.get();
        put_chat(&mut out, c);
    }
    out
}

/// (Times are written as offsets from the hand-off, wrapping: a time
/// absurd enough to overflow packs into a body that does not decode.
/// Sealing decodes what it packed before it stores it.)
fn put_chat(out: &mut Vec<u8>, c: &Chat) {
    let t0 = c.started;
    let mut flags = 0;
    for (on, flag) in [
        (c.handed_off, HANDED_OFF),
        (c.team.is_some(), TEAM),
        (c.first_reply.is_some(), FIRST_REPLY),
        (c.first_reply.is_some_and(|(a, _)| a.is_some()), FIRST_REPLY_AGENT),
        (c.fallback.is_some(), FALLBACK),
        (c.end.is_some(), END),
        (c.end.is_some_and(|e| e.by.is_some()), END_BY),
        (c.end.is_some_and(|e| e.messages.is_some()), END_MESSAGES),
    ] {
        if on {
            flags |= flag;
        }
    }
    out.push(flags);
    put_i(out, c.site.get());
    put_i(out, t0);
    put_str(out, &c.stream);
    if let Some(team) = &c.team {
        put_str(out, team);
    }
    put_u(out, c.offers.len() as u64);
    for o in &c.offers {
        put_i(out, o.agent.get());
        match o.answer {
            Answer::Open => out.push(0),
            Answer::Accepted(None) => out.push(1),
            Answer::Accepted(Some(ms)) => {
                out.push(2);
                put_i(out, ms);
            }
            Answer::Declined => out.push(3),
            Answer::Missed => out.push(4),
            Answer::Withdrawn => out.push(5),
        }
    }
    put_u(out, c.accepts.len() as u64);
    for &(agent, at) in &c.accepts {
        put_i(out, agent.get());
        put_i(out, at.wrapping_sub(t0));
    }
    put_u(out, c.stretches.len() as u64);
    for s in &c.stretches {
        put_i(out, s.agent.get());
        put_i(out, s.from.wrapping_sub(t0));
        // (0: going on; 1 and the offset: ended.)
        match s.to {
            None => out.push(0),
            Some(to) => {
                out.push(1);
                put_i(out, to.wrapping_sub(t0));
            }
        }
    }
    put_u(out, c.transfers.len() as u64);
    for a in &c.transfers {
        put_i(out, a.get());
    }
    if let Some((agent, ms)) = c.first_reply {
        if let Some(a) = agent {
            put_i(out, a.get());
        }
        put_i(out, ms);
    }
    if let Some(at) = c.fallback {
        put_i(out, at.wrapping_sub(t0));
    }
    if let Some(end) = c.end {
        put_i(out, end.at.wrapping_sub(t0));
        if let Some(by) = end.by {
            let index = EndedBy::ALL.iter().position(|b| *b == by).unwrap_or(0);
            out.push(u8::try_from(index).unwrap_or(0));
        }
        if let Some(m) = end.messages {
            put_i(out, m);
        }
    }
}

fn zigzag(v: i64) -> u64 {
    #[allow(clippy::cast_sign_loss)] // the zigzag mapping: bit patterns on purpose
    let z = ((v << 1) ^ (v >> 63)) as u64;
    z
}

fn unzigzag(z: u64) -> i64 {
    #[allow(clippy::cast_possible_wrap)] // the zigzag mapping: bit patterns on purpose
    let v = (z >> 1) as i64 ^ -((z & 1) as i64);
    v
}

fn put_u(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_i(out: &mut Vec<u8>, v: i64) {
    put_u(out, zigzag(v));
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Reads a whole body of `block` into `chats` (whose vectors and strings
/// are reused, more added as needed): its holes, and how many of `chats`
/// it filled. All or nothing: a body that does not decode to its end, or
/// names conversations out of order or of another block, gives nothing.
pub fn decode(
    body: &[u8],
    block: i64,
    chats: &mut Vec<Chat>,
) -> Result<(Vec<ConversationId>, usize), Unreadable> {
    let (holes, mut reader) = Reader::new(body, ids_of(block))?;
    let mut n = 0;
    loop {
        if n == chats.len() {
            chats.push(Chat::empty());
        }
        if !reader.next_into(&mut chats[n])? {
            return Ok((holes, n));
        }
        // (A conversation is a hole or packed, never both.)
        if holes.binary_search(&chats[n].id).is_ok() {
            return Err(Unreadable);
        }
        n += 1;
    }
}

/// A body being read: its holes first ([`Reader::new`]), then its chats
/// one at a time ([`Reader::next_into`]).
#[derive(Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    left: u64,
    /// The last conversation read (ids rise strictly).
    prev: i64,
    /// The block's first and last id.
    ids: (i64, i64),
}

/// A body that does not decode (or is of another version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

impl<'a> Reader<'a> {
    /// Starts reading `body`: its holes, and a reader of its chats.
    fn new(body: &'a [u8], (first, last): (i64, i64)) -> Result<(Vec<ConversationId>, Self), Unreadable> {
        let mut r = Self { bytes: body, pos: 0, left: 0, prev: 0, ids: (first, last) };
        if r.byte()? != VERSION {
            return Err(Unreadable);
        }
        let n = r.count()?;
        let mut holes = Vec::with_capacity(n);
        let mut prev = 0;
        for _ in 0..n {
            prev = r.next_id(prev)?;
            holes.push(ConversationId::new(prev));
        }
        r.left = r.u()?;
        Ok((holes, r))
    }

    /// The next id after `prev` (written as the difference; the first
    /// after 0): one that does not rise, or is not of the block, is
    /// refused.
    fn next_id(&mut self, prev: i64) -> Result<i64, Unreadable> {
        let id = self.after(prev)?;
        if id <= prev || id < self.ids.0 || id > self.ids.1 {
            return Err(Unreadable);
        }
        Ok(id)
    }

    /// `base` plus the next signed number (a time after the hand-off),
    /// refused if it overflows.
    fn after(&mut self, base: i64) -> Result<i64, Unreadable> {
        base.checked_add(self.i()?).ok_or(Unreadable)
    }

    /// Reads the next chat into `chat` (its vectors and strings reused):
    /// `false` after the last.
    fn next_into(&mut self, chat: &mut Chat) -> Result<bool, Unreadable> {
        if self.left == 0 {
            return if self.pos == self.bytes.len() { Ok(false) } else { Err(Unreadable) };
        }
        self.left -= 1;
        self.prev = self.next_id(self.prev)?;
        chat.id = ConversationId::new(self.prev);
        let flags = self.byte()?;
        chat.site = SiteId::new(self.i()?);
        let t0 = self.i()?;
        chat.started = t0;
        chat.handed_off = flags & HANDED_OFF != 0;
        self.str_into(&mut chat.stream)?;
        if flags & TEAM == 0 {
            chat.team = None;
        } else {
            self.str_into(chat.team.get_or_insert_with(String::new))?;
        }
        chat.offers.clear();
        for _ in 0..self.count()? {
            let agent = AgentId::new(self.i()?);
            let answer = match self.byte()? {
                0 => Answer::Open,
                1 => Answer::Accepted(None),
                2 => Answer::Accepted(Some(self.i()?)),
                3 => Answer::Declined,
                4 => Answer::Missed,
                5 => Answer::Withdrawn,
                _ => return Err(Unreadable),
            };
            chat.offers.push(Offer { agent, answer });
        }
        chat.accepts.clear();
        for _ in 0..self.count()? {
            let agent = AgentId::new(self.i()?);
            chat.accepts.push((agent, self.after(t0)?));
        }
        chat.stretches.clear();
        for _ in 0..self.count()? {
            let agent = AgentId::new(self.i()?);
            let from = self.after(t0)?;
            let to = match self.byte()? {
                0 => None,
                1 => Some(self.after(t0)?),
                _ => return Err(Unreadable),
            };
            chat.stretches.push(Stretch { agent, from, to });
        }
        chat.transfers.clear();
        for _ in 0..self.count()? {
            chat.transfers.push(AgentId::new(self.i()?));
        }
        chat.first_reply = if flags & FIRST_REPLY == 0 {
            None
        } else {
            let agent = if flags & FIRST_REPLY_AGENT == 0 { None } else { Some(AgentId::new(self.i()?)) };
            Some((agent, self.i()?))
        };
        chat.fallback = if flags & FALLBACK == 0 { None } else { Some(self.after(t0)?) };
        chat.end = if flags & END == 0 {
            None
        } else {
            let at = self.after(t0)?;
            let by = if flags & END_BY == 0 {
                None
            } else {
                Some(*EndedBy::ALL.get(usize::from(self.byte()?)).ok_or(Unreadable)?)
            };
            let messages = if flags & END_MESSAGES == 0 { None } else { Some(self.i()?) };
            Some(End { at, by, messages })
        };
        Ok(true)
    }

    fn byte(&mut self) -> Result<u8, Unreadable> {
        let b = *self.bytes.get(self.pos).ok_or(Unreadable)?;
        self.pos += 1;
        Ok(b)
    }

    fn u(&mut self) -> Result<u64, Unreadable> {
        // (Most are one byte.)
        if let Some(&b) = self.bytes.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(u64::from(b));
            }
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Unreadable)
    }

    fn i(&mut self) -> Result<i64, Unreadable> {
        Ok(unzigzag(self.u()?))
    }

    /// A count of items, each at least a byte: never more than the bytes
    /// left (a damaged body cannot ask for a huge allocation).
    fn count(&mut self) -> Result<usize, Unreadable> {
        let n = usize::try_from(self.u()?).map_err(|_| Unreadable)?;
        if n > self.bytes.len() - self.pos {
            return Err(Unreadable);
        }
        Ok(n)
    }

    /// Reads a string into `into` (most are the one already there: the
    /// same stream and team chat after chat).
    fn str_into(&mut self, into: &mut String) -> Result<(), Unreadable> {
        let n = self.count()?;
        let s = self.bytes.get(self.pos..self.pos + n).ok_or(Unreadable)?;
        self.pos += n;
        if into.as_bytes() != s {
            into.clear();
            into.push_str(std::str::from_utf8(s).map_err(|_| Unreadable)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::chat::Folder;
    use crate::store::events::{Event, Kind};

    const T0: i64 = 1_700_000_000_000;

    fn ev(id: i64, kind: Kind, at_s: i64, agent: Option<i64>) -> Event {
        Event {
            conversation: ConversationId::new(id),
            site: SiteId::new(3),
            kind,
            agent: agent.map(AgentId::new),
            team: None,
            detail: None,
            value: None,
            at: T0 + at_s * 1000,
        }
    }

    /// Chats with every field set and unset, folded from facts.
    fn chats() -> Vec<Chat> {
        let mut out = Vec::new();
        let mut f = Folder::new(|c| out.push(c));
        for e in [
            Event {
                detail: Some("pricing".into()),
                team: Some("Sales".into()),
                ..ev(1025, Kind::Handoff, 0, None)
            },
            ev(1025, Kind::Offered, 1, Some(7)),
            ev(1025, Kind::Declined, 2, Some(7)),
            ev(1025, Kind::Offered, 2, Some(8)),
            Event { value: Some(1500), ..ev(1025, Kind::Accepted, 4, Some(8)) },
            Event { value: Some(9000), ..ev(1025, Kind::FirstReply, 9, Some(8)) },
            Event { team: Some("Support — EU".into()), ..ev(1025, Kind::Transferred, 20, Some(8)) },
            ev(1025, Kind::Offered, 20, Some(9)),
            ev(1025, Kind::TimedOut, 50, Some(9)),
            ev(1025, Kind::Offered, 50, Some(10)),
            ev(1025, Kind::Accepted, 52, Some(10)),
            Event {
                detail: Some("agent_left".into()),
                value: Some(12),
                ..ev(1025, Kind::Ended, 300, Some(10))
            },
            Event { detail: Some("main".into()), ..ev(1030, Kind::Handoff, 1, None) },
            ev(1030, Kind::Fallback, 3, None),
            // (No hand-off recorded; an offer to a removed agent; an
            // accept at an unknown time; an end by nobody known.)
            ev(2047, Kind::Offered, -5, Some(-1)),
            ev(2047, Kind::Withdrawn, -4, None),
            Event { value: Some(-3), ..ev(2047, Kind::FirstReply, 4, None) },
            Event { detail: Some("?".into()), ..ev(2047, Kind::Ended, 5, None) },
        ] {
            f.push(e);
        }
        f.finish();
        out
    }

    /// Decodes into chats already holding others (all is overwritten).
    fn decode(body: &[u8]) -> Result<(Vec<ConversationId>, Vec<Chat>), Unreadable> {
        let mut into = [chats(), chats(), chats()].concat();
        let (holes, n) = super::decode(body, 1, &mut into)?;
        into.truncate(n);
        Ok((holes, into))
    }

    #[test]
    fn chats_read_back_as_they_were_packed() {
        let chats = chats();
        assert_eq!(chats.len(), 3);
        let holes = [ConversationId::new(1026), ConversationId::new(2040)];
        let body = encode(&chats, &holes);
        assert_eq!(decode(&body), Ok((holes.to_vec(), chats)));
        assert_eq!(decode(&encode(&[], &[])), Ok((vec![], vec![])));
    }

    #[test]
    fn a_damaged_or_newer_body_is_not_used() {
        let body = encode(&chats(), &[ConversationId::new(1100)]);
        for cut in 0..body.len() {
            assert_eq!(decode(&body[..cut]), Err(Unreadable), "cut at {cut}");
        }
        let mut longer = body.clone();
        longer.push(0);
        assert_eq!(decode(&longer), Err(Unreadable));
        let mut newer = body;
        newer[0] = VERSION + 1;
        assert_eq!(decode(&newer), Err(Unreadable));
        // A count far beyond the bytes is refused before anything is
        // allocated for it.
        assert_eq!(decode(&[VERSION, 0xff, 0xff, 0xff, 0xff, 0x0f]), Err(Unreadable));
    }

    #[test]
    fn ids_out_of_order_or_of_another_block_are_refused() {
        let chats = chats();
        let id = |i: i64| ConversationId::new(i);
        assert!(decode(&encode(&chats, &[id(1024), id(2046)])).is_ok());
        for holes in [
            vec![id(1023)],
            vec![id(2048)],
            vec![id(1030), id(1030)],
            vec![id(1030), id(1029)],
            vec![id(2047)],
        ] {
            assert_eq!(decode(&encode(&chats, &holes)), Err(Unreadable), "{holes:?}");
        }
        let mut swapped = chats.clone();
        swapped.swap(0, 1);
        assert_eq!(decode(&encode(&swapped, &[])), Err(Unreadable));
        let mut elsewhere = chats;
        elsewhere[2].id = id(2048);
        assert_eq!(decode(&encode(&elsewhere, &[])), Err(Unreadable));
    }

    #[test]
    fn no_body_makes_the_reader_panic() {
        // Every byte of a good body changed in turn to values that matter
        // to varints, and bodies of random bytes: refused or read, never
        // a panic (overflowing times and ids included).
        let good = encode(&chats(), &[ConversationId::new(1100)]);
        for i in 0..good.len() {
            for b in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[i] = b;
                let _ = decode(&bad);
            }
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for n in 0..2_000 {
            let body: Vec<u8> = std::iter::once(VERSION)
                .chain((0..n % 64).map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x.to_le_bytes()[0]
                }))
                .collect();
            let _ = decode(&body);
        }
        // Times at the ends of the range pack and unpack, or are refused.
        let mut far = chats();
        far[0].started = i64::MIN;
        far[0].end = Some(End { at: i64::MAX, by: None, messages: None });
        far[0].stretches[0].to = Some(i64::MIN);
        far[1].started = i64::MAX;
        far[1].fallback = Some(i64::MIN);
        for one in far {
            // (Exactly as they were, or refused: never other chats.)
            if let Ok((_, back)) = decode(&encode(std::slice::from_ref(&one), &[])) {
                assert_eq!(back, [one]);
            }
        }
    }

    #[test]
    fn blocks_split_ids_as_the_triggers_do() {
        assert_eq!(block_of(ConversationId::new(1023)), 0);
        assert_eq!(block_of(ConversationId::new(1024)), 1);
        assert_eq!(ids_of(2), (2048, 3071));
    }
}
