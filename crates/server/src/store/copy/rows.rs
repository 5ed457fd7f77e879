//! One value of a copied row, read from either database, written as
//! PostgreSQL's `COPY` text, and added to a table's [`Tally`]: the count
//! and checksum both sides are compared by.
//!
//! The checksum is order-independent: the sum (mod 2^128) of a hash of
//! each row, so each side is read in whatever order it stores its rows,
//! with no `ORDER BY` (which would sort text by each database's own
//! collation, and sort a million rows for nothing). A row's hash is
//! SHA-256 over its values in column order, each tagged with its kind and
//! its text and bytes with their length, so `NULL`, `''`, `0` and `'0'`
//! differ, and so do `('ab', 'c')` and `('a', 'bc')`. A sum rather than an
//! exclusive or: two equal rows would cancel out of an exclusive or.
//! Text is compared exactly (its UTF-8 bytes); there are no floats.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::tables::Kind;

/// A value of a copied column, as the target stores it: a SQLite 0 or 1
/// of a flag is already a `bool` here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// SQL `NULL`.
    Null,
    /// `INTEGER` / `BIGINT`.
    Int(i64),
    /// `TEXT`.
    Text(String),
    /// A flag: SQLite's 0 or 1, PostgreSQL's `BOOLEAN`.
    Flag(bool),
    /// `BLOB` / `BYTEA`.
    Bytes(Vec<u8>),
}

impl Value {
    /// Column `i` of a SQLite row, as a value of `kind`; `Err` says what
    /// is wrong with it.
    pub(super) fn from_sqlite(row: &sqlx::sqlite::SqliteRow, i: usize, kind: Kind) -> Result<Self, String> {
        let value = match kind {
            Kind::Int => row.try_get::<Option<i64>, _>(i).map(|v| v.map(Self::Int)),
            Kind::Text => row.try_get::<Option<String>, _>(i).map(|v| v.map(Self::Text)),
            Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i).map(|v| v.map(Self::Bytes)),
            Kind::Flag => match row.try_get::<Option<i64>, _>(i) {
                Ok(Some(0)) => Ok(Some(Self::Flag(false))),
                Ok(Some(1)) => Ok(Some(Self::Flag(true))),
                Ok(Some(other)) => return Err(format!("{other} is not a flag (0 or 1)")),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            },
        };
        value.map(|v| v.unwrap_or(Self::Null)).map_err(|e| e.to_string())
    }

    /// Column `i` of a PostgreSQL row, as a value of `kind`.
    pub(super) fn from_postgres(
        row: &sqlx::postgres::PgRow,
        i: usize,
        kind: Kind,
    ) -> Result<Self, sqlx::Error> {
        let value = match kind {
            Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Self::Int),
            Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Self::Text),
            Kind::Flag => row.try_get::<Option<bool>, _>(i)?.map(Self::Flag),
            Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Self::Bytes),
        };
        Ok(value.unwrap_or(Self::Null))
    }

    /// Appends the value as a field of `COPY … FROM STDIN` in its text
    /// format: `\N` for `NULL`, and a backslash escaping the backslash,
    /// tab, newline and carriage return (the field and row separators), so
    /// any text arrives as it was. Bytes are `bytea`'s hex form (`\x…`,
    /// its backslash escaped in turn).
    pub(super) fn write_copy_text(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.extend_from_slice(b"\\N"),
            Self::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Self::Flag(b) => out.push(if *b { b't' } else { b'f' }),
            Self::Text(t) => {
                for &byte in t.as_bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        other => out.push(other),
                    }
                }
            }
            Self::Bytes(bytes) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\\\x");
                for &byte in bytes {
                    out.push(HEX[usize::from(byte >> 4)]);
                    out.push(HEX[usize::from(byte & 0xf)]);
                }
            }
        }
    }

    /// Feeds the value's canonical form to `h`: a tag for its kind, then
    /// its content (text and bytes after their length).
    fn hash_into(&self, h: &mut Sha256) {
        match self {
            Self::Null => h.update([0]),
            Self::Int(i) => {
                h.update([1]);
                h.update(i.to_be_bytes());
            }
            Self::Text(t) => {
                h.update([2]);
                h.update((t.len() as u64).to_be_bytes());
                h.update(t.as_bytes());
            }
            Self::Flag(b) => h.update([3, u8::from(*b)]),
            Self::Bytes(b) => {
                h.update([4]);
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
}

/// A table's rows, counted and summed: equal tallies on both sides mean
/// the same rows (as a multiset), whatever order each side read them in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows read.
    pub rows: u64,
    /// The checksum: the sum of the rows' hashes, mod 2^128.
    pub sum: u128,
}

impl Tally {
    /// Counts `row` in.
    pub(super) fn add(&mut self, row: &[Value]) {
        let mut h = Sha256::new();
        for value in row {
            value.hash_into(&mut h);
        }
        let digest = h.finalize();
        let mut first = [0; 16];
        first.copy_from_slice(&digest[..16]);
        self.rows += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
    }

    /// The checksum as 32 hex digits.
    pub fn checksum(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_text(v: &Value) -> String {
        let mut out = Vec::new();
        v.write_copy_text(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn tally(rows: &[Vec<Value>]) -> Tally {
        let mut t = Tally::default();
        for r in rows {
            t.add(r);
        }
        t
    }

    #[test]
    fn copy_text_escapes_what_separates_fields_and_rows_and_nothing_else() {
        assert_eq!(copy_text(&Value::Null), "\\N");
        assert_eq!(copy_text(&Value::Text("\\N".into())), "\\\\N", "the text \\N is not NULL");
        assert_eq!(copy_text(&Value::Text("a\tb\nc\r\\d".into())), "a\\tb\\nc\\r\\\\d");
        assert_eq!(copy_text(&Value::Text("l'été \"déjà\" 💬".into())), "l'été \"déjà\" 💬");
        assert_eq!(copy_text(&Value::Int(-42)), "-42");
        assert_eq!(copy_text(&Value::Flag(true)), "t");
        assert_eq!(copy_text(&Value::Bytes(vec![0, 0xab, 0x10])), "\\\\x00ab10");
    }

    #[test]
    fn a_tally_ignores_row_order_but_not_values_or_their_kinds() {
        let a = vec![Value::Int(1), Value::Text("ab".into()), Value::Null];
        let b = vec![Value::Int(2), Value::Text("c".into()), Value::Flag(true)];
        assert_eq!(tally(&[a.clone(), b.clone()]), tally(&[b.clone(), a.clone()]));
        assert_eq!(tally(&[a.clone(), b.clone()]).rows, 2);
        let differ = |x: Vec<Value>, y: Vec<Value>| {
            assert_ne!(tally(std::slice::from_ref(&x)), tally(std::slice::from_ref(&y)), "{x:?}");
        };
        differ(
            vec![Value::Text("ab".into()), Value::Text("c".into())],
            vec![Value::Text("a".into()), Value::Text("bc".into())],
        );
        differ(vec![Value::Null], vec![Value::Text(String::new())]);
        differ(vec![Value::Int(0)], vec![Value::Text("0".into())]);
        differ(vec![Value::Int(1)], vec![Value::Flag(true)]);
        differ(vec![Value::Text("Émile".into())], vec![Value::Text("émile".into())]);
        // Two equal rows do not cancel out.
        assert_ne!(tally(&[a.clone(), a.clone()]).sum, 0);
    }
}
