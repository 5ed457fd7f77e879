//! Files being sent (by an agent in the inbox or a visitor in the widget),
//! as plain data: each with its client id (so a retry is stored once), how
//! far it got, and why it failed. The composers render them and their
//! XHRs feed them.

/// Why an upload failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// Larger than the site takes.
    TooLarge,
    /// A kind the site does not take.
    Type,
    /// The site takes no files.
    Off,
    /// The chat has too many files.
    TooMany,
    /// The chat ended.
    Ended,
    /// The network or the server failed: trying again may work.
    Network,
}

impl Failure {
    /// The failure an answer with `status` and error `code` means.
    pub fn from_answer(status: u16, code: &str) -> Self {
        match (status, code) {
            (_, "file_too_large") | (413, _) => Failure::TooLarge,
            (_, "file_type") | (415, _) => Failure::Type,
            (_, "files_off") => Failure::Off,
            (_, "too_many_files") => Failure::TooMany,
            (_, "ended") | (404, _) => Failure::Ended,
            _ => Failure::Network,
        }
    }

    /// Whether trying again may work.
    pub fn retryable(self) -> bool {
        self == Failure::Network
    }
}

/// Where one upload is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Progress {
    /// Bytes on their way (sent so far).
    Sending(u64),
    /// Failed.
    Failed(Failure),
}

/// A file being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Its client id (the same for every try).
    pub client_id: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where it is.
    pub progress: Progress,
}

impl Upload {
    /// A new upload, nothing sent yet.
    pub fn new(client_id: String, name: String, size: u64) -> Self {
        Self { client_id, name, size, progress: Progress::Sending(0) }
    }

    /// How much is sent, 0 to 100.
    pub fn percent(&self) -> u8 {
        match self.progress {
            Progress::Sending(_) if self.size == 0 => 0,
            Progress::Sending(sent) => u8::try_from(sent.min(self.size) * 100 / self.size).unwrap_or(100),
            Progress::Failed(_) => 0,
        }
    }
}

/// Sets the progress of the upload with `client_id` in `list`.
pub fn set(list: &mut [Upload], client_id: &str, progress: Progress) {
    if let Some(u) = list.iter_mut().find(|u| u.client_id == client_id) {
        u.progress = progress;
    }
}

/// Removes the upload with `client_id` (sent, or given up).
pub fn remove(list: &mut Vec<Upload>, client_id: &str) {
    list.retain(|u| u.client_id != client_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_become_the_agents_reasons_and_only_a_network_failure_is_worth_retrying() {
        assert_eq!(Failure::from_answer(413, "file_too_large"), Failure::TooLarge);
        assert_eq!(Failure::from_answer(413, ""), Failure::TooLarge, "a proxy's own 413");
        assert_eq!(Failure::from_answer(415, "file_type"), Failure::Type);
        assert_eq!(Failure::from_answer(403, "files_off"), Failure::Off);
        assert_eq!(Failure::from_answer(429, "too_many_files"), Failure::TooMany);
        assert_eq!(Failure::from_answer(409, "ended"), Failure::Ended);
        assert_eq!(Failure::from_answer(0, ""), Failure::Network);
        assert_eq!(Failure::from_answer(502, ""), Failure::Network);
        assert!(Failure::Network.retryable());
        assert!(!Failure::Type.retryable());
    }

    #[test]
    fn progress_counts_up_to_a_hundred_and_a_retry_keeps_its_client_id() {
        let mut list =
            vec![Upload::new("c1".into(), "a.pdf".into(), 200), Upload::new("c2".into(), "b.png".into(), 0)];
        set(&mut list, "c1", Progress::Sending(50));
        assert_eq!(list[0].percent(), 25);
        set(&mut list, "c1", Progress::Sending(500));
        assert_eq!(list[0].percent(), 100);
        assert_eq!(list[1].percent(), 0);
        set(&mut list, "c1", Progress::Failed(Failure::Network));
        set(&mut list, "c1", Progress::Sending(0));
        assert_eq!(list[0].client_id, "c1");
        remove(&mut list, "c1");
        assert_eq!(list.len(), 1);
    }
}
