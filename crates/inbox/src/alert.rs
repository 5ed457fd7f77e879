//! The offer alert's sound as the agent chose it: a tone and a volume,
//! kept in this browser (`localStorage`), tried with a button.

/// The tones an agent can choose from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Two short rising notes.
    Chime,
    /// One long bright note, like a desk bell.
    Bell,
    /// Three quick low beeps.
    Pulse,
}

impl Tone {
    /// Every tone, as the list shows them.
    pub const ALL: [Tone; 3] = [Tone::Chime, Tone::Bell, Tone::Pulse];

    /// Its stored name (also its locale key's end: `tone_chime`).
    pub fn key(self) -> &'static str {
        match self {
            Tone::Chime => "chime",
            Tone::Bell => "bell",
            Tone::Pulse => "pulse",
        }
    }

    /// The tone stored as `key`.
    pub fn parse(key: &str) -> Option<Tone> {
        Tone::ALL.into_iter().find(|t| t.key() == key)
    }

    /// Its notes: (frequency in Hz, start and length in seconds).
    pub fn notes(self) -> &'static [(f32, f64, f64)] {
        match self {
            Tone::Chime => &[(660.0, 0.0, 0.16), (880.0, 0.18, 0.16)],
            Tone::Bell => &[(1320.0, 0.0, 0.6)],
            Tone::Pulse => &[(440.0, 0.0, 0.09), (440.0, 0.14, 0.09), (440.0, 0.28, 0.09)],
        }
    }
}

/// The alert as chosen: a tone at a volume (0 to 100; 0 is silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertSound {
    /// Which tone.
    pub tone: Tone,
    /// How loud, 0 to 100.
    pub volume: u8,
}

impl Default for AlertSound {
    fn default() -> Self {
        Self { tone: Tone::Chime, volume: 70 }
    }
}

/// Where the choice is kept in `localStorage`.
pub const STORAGE_KEY: &str = "switchboard.inbox.alert";

impl AlertSound {
    /// The choice as stored (`bell:40`); what is unreadable or out of range
    /// is the default's.
    pub fn parse(stored: &str) -> Self {
        let d = Self::default();
        let (tone, volume) = stored.split_once(':').unwrap_or((stored, ""));
        Self {
            tone: Tone::parse(tone).unwrap_or(d.tone),
            volume: volume.parse::<u8>().ok().filter(|v| *v <= 100).unwrap_or(d.volume),
        }
    }

    /// The choice to store.
    pub fn stored(self) -> String {
        format!("{}:{}", self.tone.key(), self.volume)
    }

    /// The peak gain of each note (0.35 at full volume: loud enough to
    /// hear over music, not enough to clip).
    pub fn gain(self) -> f32 {
        0.35 * f32::from(self.volume.min(100)) / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_choice_reads_back_and_anything_else_is_the_default() {
        for tone in Tone::ALL {
            for volume in [0, 35, 100] {
                let s = AlertSound { tone, volume };
                assert_eq!(AlertSound::parse(&s.stored()), s);
            }
        }
        assert_eq!(AlertSound::parse(""), AlertSound::default());
        assert_eq!(AlertSound::parse("siren:50"), AlertSound { tone: Tone::Chime, volume: 50 });
        assert_eq!(AlertSound::parse("bell:101"), AlertSound { tone: Tone::Bell, volume: 70 });
        assert_eq!(AlertSound::parse("bell:-1"), AlertSound { tone: Tone::Bell, volume: 70 });
    }

    #[test]
    fn volume_scales_the_gain_and_zero_is_silent() {
        assert_eq!(AlertSound { tone: Tone::Bell, volume: 0 }.gain(), 0.0);
        assert!((AlertSound { tone: Tone::Bell, volume: 100 }.gain() - 0.35).abs() < 1e-6);
        let half = AlertSound { tone: Tone::Bell, volume: 50 }.gain();
        assert!((half - 0.175).abs() < 1e-6);
    }
}
