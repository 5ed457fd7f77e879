//! The draft with its undo and redo: every edit goes through
//! [`Designer::edit`], which keeps the stream as it was before. Keystrokes
//! in one field make one step, not one per character.

use switchboard_protocol::stream::Stream;

use super::edit::EditError;

/// Most steps kept to undo.
pub const MAX_UNDO: usize = 200;

/// A draft being designed.
#[derive(Debug, Clone, PartialEq)]
pub struct Designer {
    stream: Stream,
    undo: Vec<Stream>,
    redo: Vec<Stream>,
    /// What the last edit changed (a card's field), so the next edit of the
    /// same field joins its step.
    last: Option<String>,
}

impl Designer {
    /// A designer opened on `stream`, with nothing to undo.
    pub fn new(stream: Stream) -> Self {
        Self { stream, undo: Vec::new(), redo: Vec::new(), last: None }
    }

    /// The draft as it is now.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Makes an edit: `f` changes a copy of the draft, which replaces it
    /// when `f` succeeds (a refused edit changes nothing). Edits with the
    /// same `field` one after another are one step to undo.
    pub fn edit<T>(
        &mut self,
        field: Option<&str>,
        f: impl FnOnce(&mut Stream) -> Result<T, EditError>,
    ) -> Result<T, EditError> {
        let mut next = self.stream.clone();
        let out = f(&mut next)?;
        if next != self.stream {
            let joins = field.is_some() && field == self.last.as_deref();
            let before = std::mem::replace(&mut self.stream, next);
            if !joins {
                self.undo.push(before);
                if self.undo.len() > MAX_UNDO {
                    self.undo.remove(0);
                }
            }
            self.redo.clear();
        }
        self.last = field.map(str::to_owned);
        Ok(out)
    }

    /// Replaces the draft (a reload from the server) as one step to undo.
    pub fn replace(&mut self, stream: Stream) {
        let _ = self.edit(None, |s| {
            *s = stream;
            Ok(())
        });
    }

    /// Undoes the last step; `false` when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(before) = self.undo.pop() else { return false };
        self.redo.push(std::mem::replace(&mut self.stream, before));
        self.last = None;
        true
    }

    /// Redoes the last undone step; `false` when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(after) = self.redo.pop() else { return false };
        self.undo.push(std::mem::replace(&mut self.stream, after));
        self.last = None;
        true
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}
