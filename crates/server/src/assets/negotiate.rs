//! The two request headers a built-in file's answer depends on, read
//! without I/O: `Accept-Encoding` (which copy to send) and `If-None-Match`
//! (whether the browser's copy is still current).

/// A content coding a built-in file may be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// The file as built.
    Identity,
    /// Its `NAME.br` copy.
    Br,
    /// Its `NAME.gz` copy.
    Gzip,
}

/// The coding to send, given the client's `Accept-Encoding` and which
/// precompressed copies exist: the copy with the highest q-value, brotli
/// when q-values tie (it is smaller); identity when the client accepts
/// neither (`q=0`, or not listed and no `*`) or sent no header.
///
/// Identity is the answer even to a client that refuses it (`identity;q=0`)
/// when nothing else fits: RFC 9110 §12.5.3 allows that, and any browser
/// reads it.
pub(crate) fn preferred(accept_encoding: Option<&str>, has_br: bool, has_gzip: bool) -> Coding {
    let Some(header) = accept_encoding else { return Coding::Identity };
    let (mut br, mut gzip, mut any) = (None, None, None);
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let q = parts.find_map(quality).unwrap_or(Some(1000));
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut br
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        // An unreadable q-value makes the entry count as a refusal:
        // identity is always safe.
        *slot = Some(q.unwrap_or(0));
    }
    let br = if has_br { br.or(any).unwrap_or(0) } else { 0 };
    let gzip = if has_gzip { gzip.or(any).unwrap_or(0) } else { 0 };
    match (br, gzip) {
        (0, 0) => Coding::Identity,
        (b, g) if b >= g => Coding::Br,
        _ => Coding::Gzip,
    }
}

/// The q-value of a parameter `q=0.5` in thousandths: `None` for another
/// parameter, `Some(None)` for an unreadable value.
fn quality(param: &str) -> Option<Option<u16>> {
    let (name, value) = param.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("q") {
        return None;
    }
    // RFC 9110 §12.4.2 allows `0` to `1` with up to three decimals; a
    // little more leniency costs nothing.
    let q = value.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q));
    // In range, so the cast is exact: 0 to 1000.
    Some(q.map(|q| (q * 1000.0).round() as u16))
}

/// Whether `If-None-Match: header` names `etag` (a quoted entity tag), or
/// is `*`. Weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`.
pub(crate) fn none_match(header: &str, etag: &str) -> bool {
    header.trim() == "*" || header.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::{none_match, preferred, Coding};

    fn pick(header: &str) -> Coding {
        preferred(Some(header), true, true)
    }

    #[test]
    fn brotli_wins_a_tie_and_the_higher_q_value_wins_otherwise() {
        assert_eq!(pick("gzip, deflate, br"), Coding::Br);
        assert_eq!(pick("gzip;q=1.0, br;q=0.5"), Coding::Gzip);
        assert_eq!(pick("br;q=0.2, gzip;q=0.1"), Coding::Br);
        assert_eq!(pick("GZIP"), Coding::Gzip);
        assert_eq!(pick("x-gzip"), Coding::Gzip);
    }

    #[test]
    fn a_refused_coding_is_never_sent() {
        assert_eq!(pick("br;q=0, gzip"), Coding::Gzip);
        assert_eq!(pick("br;q=0.000, gzip;Q=0"), Coding::Identity);
        assert_eq!(pick("*;q=0"), Coding::Identity);
        assert_eq!(pick("*, br;q=0"), Coding::Gzip);
        assert_eq!(pick("identity"), Coding::Identity);
        assert_eq!(pick(""), Coding::Identity);
        assert_eq!(preferred(None, true, true), Coding::Identity);
    }

    #[test]
    fn the_wildcard_stands_for_codings_not_listed() {
        assert_eq!(pick("*"), Coding::Br);
        assert_eq!(pick("gzip;q=0.9, *;q=0.5"), Coding::Gzip);
    }

    #[test]
    fn an_unreadable_q_value_counts_as_a_refusal() {
        assert_eq!(pick("br;q=high, gzip"), Coding::Gzip);
        assert_eq!(pick("br;q=1.5, gzip;q=0.1"), Coding::Gzip);
        assert_eq!(pick("br;q=-1, gzip;q=0.001"), Coding::Gzip);
    }

    #[test]
    fn a_missing_copy_is_not_chosen() {
        assert_eq!(preferred(Some("br, gzip"), false, true), Coding::Gzip);
        assert_eq!(preferred(Some("br"), false, true), Coding::Identity);
        assert_eq!(preferred(Some("br, gzip"), false, false), Coding::Identity);
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_a_list_or_a_star() {
        assert!(none_match("\"a\"", "\"a\""));
        assert!(none_match("\"x\", W/\"a\"", "\"a\""));
        assert!(none_match("*", "\"a\""));
        assert!(!none_match("\"a-br\"", "\"a\""));
        assert!(!none_match("", "\"a\""));
    }
}
