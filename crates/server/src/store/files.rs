//! Files sent in chats (their bytes; the message that carries one is
//! stored with it, see [`Store::append_file`]) and what each site takes.

use switchboard_protocol::files::Group;
use switchboard_protocol::wire::Author;

use super::{on_db, Store, StoreError};
use crate::ids::{ConversationId, SiteId};

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The conversation it was sent in.
    pub conversation: ConversationId,
    /// Its name.
    pub name: String,
    /// Its type, as its content said.
    pub mime: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

pub use switchboard_protocol::files::FileSettings;

impl Store {
    /// The file with `id`.
    pub async fn file(&self, id: &str) -> Result<Option<StoredFile>, StoreError> {
        let row: Option<(i64, String, String, Vec<u8>)> = on_db!(self, pool => {
            sqlx::query_as("SELECT conversation_id, name, mime, bytes FROM files WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(c, name, mime, bytes)| StoredFile {
            conversation: ConversationId::new(c),
            name,
            mime,
            bytes,
        }))
    }

    /// How many files `author` sent in `conversation`.
    pub async fn files_sent(&self, conversation: ConversationId, author: Author) -> Result<i64, StoreError> {
        let author = match author {
            Author::Visitor => "visitor",
            _ => "agent",
        };
        Ok(on_db!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE conversation_id = $1 AND author = $2")
                .bind(conversation)
                .bind(author)
                .fetch_one(pool)
                .await?
        }))
    }

    /// What `site` takes; `None` when it is gone.
    pub async fn file_settings(&self, site: SiteId) -> Result<Option<FileSettings>, StoreError> {
        let row: Option<(i64, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT file_max_mb, file_groups FROM sites WHERE id = $1")
                .bind(site)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(max_mb, groups)| FileSettings {
            max_mb: u32::try_from(max_mb).unwrap_or(0),
            groups: groups.split(',').filter_map(Group::parse).collect(),
        }))
    }

    /// Sets what `site` takes.
    pub async fn set_file_settings(&self, site: SiteId, settings: &FileSettings) -> Result<(), StoreError> {
        let groups: Vec<&str> = settings.groups.iter().map(|g| g.key()).collect();
        on_db!(self, pool => {
            sqlx::query("UPDATE sites SET file_max_mb = $1, file_groups = $2 WHERE id = $3")
                .bind(i64::from(settings.max_mb))
                .bind(groups.join(","))
                .bind(site)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conversations::Upload;
    use crate::store::scratch;
    use switchboard_protocol::files::FileRef;

    #[tokio::test]
    async fn a_file_is_stored_with_its_message_once_however_often_it_is_resent() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&scratch::database_url(dir.path()).await).await.unwrap();
        let (site, handoff) = scratch::acme_and_handoff(&store).await;
        let visitor = store.create_visitor(site, "token", 0).await.unwrap();
        let chat = store.create_conversation(site, visitor, &handoff, 1_000, 0).await.unwrap().unwrap();
        let file = FileRef { id: "abc".into(), name: "a.png".into(), mime: "image/png".into(), size: 4 };
        let (first, new) = store
            .append_file(
                chat.id,
                Author::Visitor,
                "u1",
                Upload { file: &file, bytes: b"\x89PNG", cap: None },
                5,
            )
            .await
            .unwrap()
            .unwrap();
        assert!(new);
        assert_eq!((first.seq, first.text.as_str(), first.file.as_ref()), (1, "a.png", Some(&file)));
        // Resent (the answer was lost): the same message, no second file.
        let again = FileRef { id: "other".into(), ..file.clone() };
        let (resent, new) = store
            .append_file(
                chat.id,
                Author::Visitor,
                "u1",
                Upload { file: &again, bytes: b"\x89PNG", cap: Some(1) },
                6,
            )
            .await
            .unwrap()
            .unwrap();
        assert!(!new);
        assert_eq!(resent, first);
        assert_eq!(store.file("other").await.unwrap(), None);
        let stored = store.file("abc").await.unwrap().unwrap();
        assert_eq!((stored.conversation, stored.bytes.as_slice()), (chat.id, &b"\x89PNG"[..]));
        assert_eq!(store.messages_after(chat.id, 0).await.unwrap(), vec![first]);
        // At its cap, a new file is refused (the resend above was answered).
        let third = FileRef { id: "third".into(), ..file.clone() };
        let capped = store
            .append_file(
                chat.id,
                Author::Visitor,
                "u2",
                Upload { file: &third, bytes: b"\x89PNG", cap: Some(1) },
                7,
            )
            .await
            .unwrap();
        assert_eq!(capped, None);
        assert_eq!(store.file("third").await.unwrap(), None);
        // What a site takes: the defaults, then its own.
        assert_eq!(store.file_settings(site).await.unwrap(), Some(FileSettings::default()));
        let only_images = FileSettings { max_mb: 2, groups: vec![Group::Images] };
        store.set_file_settings(site, &only_images).await.unwrap();
        assert_eq!(store.file_settings(site).await.unwrap(), Some(only_images));
        store.close().await;
    }
}
