/// Reads little-endian values from a byte slice front to back. Every read
/// is bounds-checked, and a short read names what was being read and where,
/// because a truncated or corrupted model file must give an error, not a panic.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Byte offset of the next read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn take(&mut self, n: u64, what: &str) -> Result<&'a [u8], String> {
        let available = self.data.len() - self.pos;
        let slice = usize::try_from(n)
            .ok()
            .filter(|&n| n <= available)
            .and_then(|n| self.data.get(self.pos..self.pos + n));
        match slice {
            Some(slice) => {
                self.pos += slice.len();
                Ok(slice)
            }
            None => Err(format!(
                "truncated: {what} needs {n} bytes at offset {}, but only {available} remain",
                self.pos
            )),
        }
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let bytes = self.take(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, String> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, String> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn i32(&mut self, what: &str) -> Result<i32, String> {
        self.array(what).map(i32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, String> {
        self.array(what).map(u64::from_le_bytes)
    }

    pub(crate) fn f32(&mut self, what: &str) -> Result<f32, String> {
        self.array(what).map(f32::from_le_bytes)
    }

    /// A count stored as i32 that must not be negative.
    pub(crate) fn count(&mut self, what: &str) -> Result<u64, String> {
        let at = self.pos;
        let value = self.i32(what)?;
        u64::try_from(value).map_err(|_| format!("{what} at offset {at} is negative ({value})"))
    }
}
