use super::cursor::Cursor;

/// The model configuration at the start of `e5-small-q4.bin`, checked for
/// the values the format and the converter rely on.
#[derive(Debug, Clone, PartialEq)]
pub struct Q4Header {
    pub version: u32,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub eps: f32,
    /// Weights per Q4_0 block; always 32.
    pub block: usize,
}

impl Q4Header {
    pub(crate) const MAGIC: &'static [u8; 4] = b"E5S1";
    pub(crate) const VERSION: u32 = 1;

    /// Reads magic, version, the seven i32 sizes, eps and the block size.
    pub(crate) fn read(cur: &mut Cursor<'_>) -> Result<Self, String> {
        let magic = cur.take(4, "magic")?;
        if magic != Self::MAGIC {
            return Err(format!(
                "bad magic {:?} at offset 0, expected \"E5S1\" (not an e5-small-q4.bin file)",
                String::from_utf8_lossy(magic)
            ));
        }
        let version = cur.u32("version")?;
        if version != Self::VERSION {
            return Err(format!(
                "format version {version} at offset 4, only version {} is understood",
                Self::VERSION
            ));
        }
        let mut size = |what: &str| -> Result<usize, String> {
            let at = cur.pos();
            let value = cur.i32(what)?;
            usize::try_from(value)
                .ok()
                .filter(|&v| v > 0)
                .ok_or_else(|| format!("{what} at offset {at} is {value}, must be positive"))
        };
        let hidden = size("hidden size")?;
        let layers = size("layer count")?;
        let heads = size("head count")?;
        let intermediate = size("intermediate size")?;
        let vocab = size("vocabulary size")?;
        let max_positions = size("max positions")?;
        let type_vocab = size("token type count")?;
        let eps_at = cur.pos();
        let eps = cur.f32("layer-norm eps")?;
        let block_at = cur.pos();
        let block = cur.i32("block size")?;

        if !(eps.is_finite() && eps > 0.0) {
            return Err(format!(
                "layer-norm eps at offset {eps_at} is {eps}, must be a small positive number"
            ));
        }
        if block != 32 {
            return Err(format!(
                "block size at offset {block_at} is {block}, Q4_0 needs 32"
            ));
        }
        // Q4_0 rows are whole blocks, and attention splits hidden evenly.
        if hidden % 32 != 0 || intermediate % 32 != 0 {
            return Err(format!(
                "hidden {hidden} and intermediate {intermediate} must be multiples of the 32-weight block"
            ));
        }
        if hidden % heads != 0 {
            return Err(format!("hidden {hidden} is not divisible by {heads} heads"));
        }
        Ok(Self {
            version,
            hidden,
            layers,
            heads,
            intermediate,
            vocab,
            max_positions,
            type_vocab,
            eps,
            block: 32,
        })
    }
}
