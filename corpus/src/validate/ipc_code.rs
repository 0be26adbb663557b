use serde::{Deserialize, Serialize};

/// An IPC code or prefix: section G, class G06, subclass G06F, group G06F 16/33 (also written G06F16/33).
///
/// Any level is a valid value, so the same type serves for a patent's
/// classification and for a filter prefix; a main group alone (`G06F 16`) is
/// accepted as a prefix level too. Input may be lowercase, unspaced, spaced
/// several times, full-width, zero-padded (`G06F 016/33`) or carry a trailing
/// edition such as `(2006.01)`. The stored, displayed form is canonical:
/// `G`, `G06`, `G06F`, `G06F 16`, `G06F 16/33`.
///
/// Main groups have 1–4 digits, subgroups 2–6 (`/00`, `/30`, `/2321`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpcCode(String);

/// The five levels of a code, each as its own text: section `G`, class
/// `G06`, subclass `G06F`, main group `16`, subgroup `33`.
type Levels<'a> = [Option<&'a str>; 5];

impl IpcCode {
    /// Parses and checks a value; the error names field `ipc_code` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        let input = s.trim();
        let fail = |reason: String| crate::Error::invalid("ipc_code", reason);
        let folded = super::to_halfwidth(input).to_ascii_uppercase();
        let code: String = strip_edition(&folded)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let b = code.as_bytes();
        if b.is_empty() {
            return Err(fail("is empty".to_string()));
        }
        if !(b'A'..=b'H').contains(&b[0]) {
            return Err(fail(format!(
                "section {:?} is not a letter A-H in {input:?}",
                code.chars().next().unwrap_or_default()
            )));
        }
        if b.len() == 1 {
            return Ok(Self(code));
        }
        let class = code
            .get(1..3)
            .filter(|c| c.bytes().all(|d| d.is_ascii_digit()));
        match class {
            Some("00") => return Err(fail(format!("class 00 does not exist in {input:?}"))),
            Some(_) => {}
            None => {
                return Err(fail(format!(
                    "class must be two digits after the section in {input:?}"
                )))
            }
        }
        if b.len() == 3 {
            return Ok(Self(code));
        }
        if !b[3].is_ascii_uppercase() {
            return Err(fail(format!(
                "subclass must be a letter after the class in {input:?}"
            )));
        }
        let (subclass, group) = code.split_at(4);
        if group.is_empty() {
            return Ok(Self(code));
        }
        let (main, sub) = match group.split_once('/') {
            Some((m, s)) => (m, Some(s)),
            None => (group, None),
        };
        if main.is_empty() || main.len() > 4 || !main.bytes().all(|d| d.is_ascii_digit()) {
            return Err(fail(format!(
                "main group must be 1 to 4 digits after the subclass, found {main:?} in {input:?}"
            )));
        }
        let main = main.trim_start_matches('0');
        if main.is_empty() {
            return Err(fail(format!("main group 0 does not exist in {input:?}")));
        }
        match sub {
            None => Ok(Self(format!("{subclass} {main}"))),
            Some(sub)
                if (2..=6).contains(&sub.len()) && sub.bytes().all(|d| d.is_ascii_digit()) =>
            {
                Ok(Self(format!("{subclass} {main}/{sub}")))
            }
            Some(sub) => Err(fail(format!(
                "subgroup must be 2 to 6 digits after the slash, found {sub:?} in {input:?}"
            ))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The section letter, `A`–`H`.
    pub fn section(&self) -> char {
        self.0.chars().next().unwrap_or_default()
    }

    /// `G06`, when the code goes down to a class.
    pub fn class(&self) -> Option<&str> {
        self.levels()[1]
    }

    /// `G06F`, when the code goes down to a subclass.
    pub fn subclass(&self) -> Option<&str> {
        self.levels()[2]
    }

    /// The main group number, `16` in `G06F 16/33`.
    pub fn main_group(&self) -> Option<u16> {
        self.levels()[3]?.parse().ok()
    }

    /// The subgroup digits, `33` in `G06F 16/33`.
    pub fn subgroup(&self) -> Option<&str> {
        self.levels()[4]
    }

    /// A path for a hierarchical facet: `/G/G06/G06F/G06F16` for
    /// `G06F 16/33`, `/G/G06` for `G06`.
    ///
    /// It stops at the main group on purpose: a subgroup's parent is set by
    /// the scheme's dot levels, not by its number, so the number alone gives
    /// no deeper hierarchy, and the `/` inside `16/33` would clash with the
    /// path separator.
    pub fn facet_path(&self) -> String {
        let [section, class, subclass, main, _] = self.levels();
        let mut path = String::new();
        for level in [section, class, subclass].into_iter().flatten() {
            path.push('/');
            path.push_str(level);
        }
        if let (Some(subclass), Some(main)) = (subclass, main) {
            path.push('/');
            path.push_str(subclass);
            path.push_str(main);
        }
        path
    }

    /// True when `prefix` is this code or one of its ancestors, compared
    /// level by level: `G06` and `G06F 16` match `G06F 16/33`, but `G06F 1`
    /// does not match `G06F 16/33` although its text is a prefix.
    ///
    /// A subgroup prefix matches only itself, except `/00`, which is the main
    /// group's own heading and so matches every subgroup of that main group.
    pub fn starts_with(&self, prefix: &IpcCode) -> bool {
        let mine = self.levels();
        let theirs = prefix.levels();
        (0..5).all(|i| match (theirs[i], mine[i]) {
            (None, _) => true,
            (Some("00"), _) if i == 4 => true,
            (Some(p), Some(m)) => p == m,
            (Some(_), None) => false,
        })
    }

    fn levels(&self) -> Levels<'_> {
        let s = self.0.as_str();
        let (head, group) = s.split_once(' ').unwrap_or((s, ""));
        let (main, sub) = match group.split_once('/') {
            Some((m, sub)) => (Some(m), Some(sub)),
            None => ((!group.is_empty()).then_some(group), None),
        };
        [head.get(..1), head.get(..3), head.get(..4), main, sub]
    }
}

/// Drops a trailing edition such as `(2006.01)`, which records when the
/// group was introduced and is not part of the code.
fn strip_edition(s: &str) -> &str {
    let t = s.trim_end();
    if let Some(open) = t.rfind('(') {
        let inner = t[open + 1..].strip_suffix(')').unwrap_or("x");
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return &t[..open];
        }
    }
    t
}

impl TryFrom<String> for IpcCode {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<IpcCode> for String {
    fn from(c: IpcCode) -> String {
        c.0
    }
}

impl std::fmt::Display for IpcCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
