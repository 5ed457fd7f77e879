//! Password hashes: argon2id with a fresh salt, checked in constant time.
//! Slow by design: the server checks them on [`Checkers`], threads of
//! their own at a lower priority.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a password with argon2id and a fresh salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// [`hash_password`] on a blocking thread, off the async workers.
pub async fn hash_off_thread(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic")
}

/// Checks `password` against a stored PHC hash; a malformed hash (an
/// invited agent's empty one) never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Threads that check passwords, at a lower CPU priority than the rest of
/// the server (nice 10 on Linux): a burst of guesses gets the CPU time chat
/// leaves over, not the other way round. Callers bound how many checks run
/// at once (one per thread); the threads end with the last handle.
#[derive(Debug, Clone)]
pub struct Checkers {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

type Job = (String, String, tokio::sync::oneshot::Sender<bool>);

/// Nice value of the checking threads.
const NICE: i32 = 10;

impl Checkers {
    /// Starts `threads` checking threads.
    pub fn start(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(threads);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for _ in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name("password-check".into()).spawn(move || {
                lower_priority();
                loop {
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((password, hash, answer)) = job else { return };
                    let _ = answer.send(verify_password(&password, &hash));
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "starting a password-check thread");
            }
        }
        Self { jobs }
    }

    /// Checks `password` against `hash` on a checking thread.
    pub async fn verify(&self, password: String, hash: String) -> bool {
        let (answer, answered) = tokio::sync::oneshot::channel();
        // (The queue holds one job per thread and callers run at most that
        // many at once: it is never full.)
        let sent = self.jobs.try_send((password, hash, answer)).is_ok();
        sent && answered.await.unwrap_or(false)
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // (On Linux a thread id is a process id to setpriority: this thread only.)
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), NICE) {
        tracing::warn!(error = %e, "lowering the password-check threads' priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
