use super::{HnswParams, RowSet};
use crate::{Error, Result};
use anndists::dist::Distance;
use hnsw_rs::prelude::{load_description, AnnT, Hnsw, HnswIo};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tracing::{debug, warn};

/// hnsw_rs's layer count (its `NB_LAYER_MAX`, which is crate-private): its
/// dump refuses graphs built with any other value.
const MAX_LAYERS: usize = 16;
/// Bumped whenever the saved layout changes, so an old directory is refused
/// with a clear message rather than misread.
const FORMAT_VERSION: u32 = 1;
const META_FILE: &str = "vectors.json";
const VECTORS_FILE: &str = "vectors.f32";
const GRAPH_BASENAME: &str = "vectors";
const GRAPH_SUFFIXES: [&str; 2] = [".hnsw.graph", ".hnsw.data"];
/// How far from unit length an indexed vector may be. The embedder's vectors
/// are within ~1e-6; anything further off is not an embedder vector, and
/// its "cosine" (a plain dot product here) would be silently wrong.
const UNIT_TOLERANCE: f32 = 1e-3;

/// One result: a row of the index and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorHit {
    pub row: u32,
    pub cosine: f32,
}

/// Nearest-neighbour search over L2-normalised embeddings: an HNSW graph for
/// large searches, an exact scan for small or heavily filtered ones.
///
/// Rows are numbered densely from 0 in insertion order and never renumbered;
/// the caller maps rows to listings and expresses deletions by leaving rows
/// out of the `allowed` set, so an incremental update only ever appends.
///
/// The vectors are also kept flat next to the graph (hnsw_rs keeps its own
/// copy per node): exact scans and the cosine reported for graph hits both
/// come from that one array, so the two search paths report bit-identical
/// scores for the same row.
pub struct VectorIndex {
    dims: usize,
    params: HnswParams,
    /// Row-major, `len * dims` floats.
    vectors: Vec<f32>,
    graph: Hnsw<'static, f32, UnitDot>,
}

impl fmt::Debug for VectorIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VectorIndex")
            .field("dims", &self.dims)
            .field("len", &self.len())
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// What `save` writes next to the vectors and the graph dump, and `load`
/// checks them against.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    dims: usize,
    len: usize,
    params: HnswParams,
    /// Basename of hnsw_rs's two dump files; `None` for an empty index,
    /// which hnsw_rs cannot dump (it has no entry point).
    graph: Option<String>,
}

impl VectorIndex {
    /// Indexes `vectors` as rows `0..vectors.len()`. Every vector must have
    /// `dims` finite components and unit length; the first that does not is
    /// named in the error.
    pub fn build(dims: usize, vectors: &[Vec<f32>], params: HnswParams) -> Result<Self> {
        if dims == 0 {
            return Err(Error::Vectors("dimensions must be positive".into()));
        }
        if let Some(problem) = params.problem() {
            return Err(Error::Vectors(format!("parameters: {problem}")));
        }
        let mut index = Self {
            dims,
            params,
            vectors: Vec::new(),
            graph: new_graph(params, vectors.len()),
        };
        index.append(vectors)?;
        Ok(index)
    }

    /// Adds `vectors` as the next rows and links them into the existing
    /// graph, returning their row numbers. Nothing is added if any vector is
    /// unusable.
    pub fn append(&mut self, vectors: &[Vec<f32>]) -> Result<Range<u32>> {
        let start = self.len();
        let end = start + vectors.len();
        let rows = u32::try_from(start)
            .ok()
            .zip(u32::try_from(end).ok())
            .map(|(start, end)| start..end)
            .ok_or_else(|| Error::Vectors(format!("{end} rows do not fit in u32 row numbers")))?;
        for (offset, vector) in vectors.iter().enumerate() {
            self.check_vector(vector)
                .map_err(|problem| Error::Vectors(format!("row {}: {problem}", start + offset)))?;
        }
        self.vectors.reserve(vectors.len() * self.dims);
        for vector in vectors {
            self.vectors.extend_from_slice(vector);
        }
        let items: Vec<(&[f32], usize)> = vectors
            .iter()
            .zip(start..end)
            .map(|(vector, row)| (vector.as_slice(), row))
            .collect();
        self.graph.parallel_insert_slice(&items);
        debug!(added = vectors.len(), len = end, "vector rows appended");
        Ok(rows)
    }

    pub fn len(&self) -> usize {
        self.vectors.len() / self.dims
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn params(&self) -> HnswParams {
        self.params
    }

    pub fn vector(&self, row: u32) -> Option<&[f32]> {
        let start = (row as usize).checked_mul(self.dims)?;
        self.vectors.get(start..start.checked_add(self.dims)?)
    }

    /// Top-`k` rows by cosine, best first. `allowed` restricts rows (deleted
    /// rows of an incremental update, or a search filter); when it admits
    /// fewer than `params.exact_below` of the index's rows (or the index
    /// itself is that small), those rows are scanned exactly instead of
    /// walking the graph, because a filtered graph walk starves when few
    /// points pass. May return fewer than `k` hits when the walk finds
    /// fewer admitted rows.
    ///
    /// A query that is not unit length is normalised; one of the wrong
    /// length or with non-finite components matches nothing.
    pub fn search(&self, query: &[f32], k: usize, allowed: Option<&RowSet>) -> Vec<VectorHit> {
        let Some(query) = self.usable_query(query) else {
            return Vec::new();
        };
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let len = self.len();
        let admitted = allowed.map_or(len, |set| set.count_below(len as u32));
        if admitted < self.params.exact_below {
            return self.scan(&query, k, allowed);
        }
        // A filter that admits every row only slows the walk down: hnsw_rs
        // gives up its early stop when filtering.
        let allowed = allowed.filter(|_| admitted < len);
        let ef = self.params.ef_search.max(k);
        let neighbours = match allowed {
            None => self.graph.search(&query, k, ef),
            Some(set) => {
                let admits = |id: &usize| u32::try_from(*id).is_ok_and(|row| set.contains(row));
                self.graph.search_filter(&query, k, ef, Some(&admits))
            }
        };
        let mut hits: Vec<VectorHit> = neighbours
            .iter()
            .filter_map(|neighbour| {
                let row = u32::try_from(neighbour.get_origin_id()).ok()?;
                if allowed.is_some_and(|set| !set.contains(row)) {
                    return None;
                }
                let cosine = dot(&query, self.vector(row)?);
                Some(VectorHit { row, cosine })
            })
            .collect();
        top_k(&mut hits, k);
        hits
    }

    /// Top-`k` rows by cosine, best first, comparing the query with every
    /// candidate row: the reference the graph is measured against, and the
    /// path for small candidate sets. Ties go to the lower row.
    pub fn exact_search(
        &self,
        query: &[f32],
        k: usize,
        allowed: Option<&RowSet>,
    ) -> Vec<VectorHit> {
        match self.usable_query(query) {
            Some(query) => self.scan(&query, k, allowed),
            None => Vec::new(),
        }
    }

    /// Writes the index into `dir`, which must exist and should hold no
    /// other index: the hnsw_rs graph dump, the vectors as flat little-endian
    /// f32, and a small JSON metadata file. Every file is fsynced, and the
    /// metadata is written last (by rename), so a save that dies half-way
    /// leaves a directory that `load` refuses instead of misreading.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let is_dir = fs::metadata(dir).map_err(Error::io(dir))?.is_dir();
        if !is_dir {
            return Err(Error::Vectors(format!(
                "{} is not a directory",
                dir.display()
            )));
        }

        let vectors_path = dir.join(VECTORS_FILE);
        write_synced(&vectors_path, |out| {
            self.vectors
                .iter()
                .try_for_each(|value| out.write_all(&value.to_le_bytes()))
        })?;

        let graph = if self.is_empty() {
            None
        } else {
            // hnsw_rs panics instead of failing when it cannot create its
            // files; a failed save must be an error the caller can report.
            let dumped = catch_unwind(AssertUnwindSafe(|| {
                self.graph.file_dump(dir, GRAPH_BASENAME)
            }));
            let basename = match dumped {
                Ok(Ok(basename)) => basename,
                Ok(Err(e)) => {
                    return Err(Error::Vectors(format!(
                        "writing the graph into {}: {e:#}",
                        dir.display()
                    )))
                }
                Err(_) => {
                    return Err(Error::Vectors(format!(
                        "hnsw_rs panicked writing the graph into {}",
                        dir.display()
                    )))
                }
            };
            for path in graph_files(dir, &basename) {
                File::open(&path)
                    .and_then(|file| file.sync_all())
                    .map_err(Error::io(&path))?;
            }
            Some(basename)
        };

        let meta = Meta {
            format_version: FORMAT_VERSION,
            dims: self.dims,
            len: self.len(),
            params: self.params,
            graph,
        };
        let meta_path = dir.join(META_FILE);
        let partial = dir.join(format!("{META_FILE}.partial"));
        write_synced(&partial, |out| {
            serde_json::to_writer_pretty(&mut *out, &meta).map_err(std::io::Error::other)
        })?;
        fs::rename(&partial, &meta_path).map_err(Error::io(&meta_path))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io(dir))?;
        debug!(dir = %dir.display(), len = meta.len, "vector index saved");
        Ok(())
    }

    /// Reads an index written by [`VectorIndex::save`]. The metadata, the
    /// vectors file and the graph must agree (format version, sizes, the
    /// graph's rows and their vectors); any disagreement is
    /// [`Error::Incompatible`] naming the file.
    pub fn load(dir: &Path) -> Result<Self> {
        let meta_path = dir.join(META_FILE);
        let text = fs::read(&meta_path).map_err(Error::io(&meta_path))?;
        let meta: Meta = serde_json::from_slice(&text)
            .map_err(|e| incompatible(&meta_path, format!("unreadable index metadata: {e}")))?;
        if meta.format_version != FORMAT_VERSION {
            return Err(incompatible(
                &meta_path,
                format!(
                    "vector index format {} (this version reads {FORMAT_VERSION}); rebuild the index",
                    meta.format_version
                ),
            ));
        }
        if meta.dims == 0 {
            return Err(incompatible(&meta_path, "dimensions are 0".into()));
        }
        if let Some(problem) = meta.params.problem() {
            return Err(incompatible(&meta_path, format!("parameters: {problem}")));
        }

        let vectors = read_vectors(&dir.join(VECTORS_FILE), meta.len, meta.dims)?;
        let graph = match (&meta.graph, meta.len) {
            (None, 0) => new_graph(meta.params, 0),
            (Some(basename), len) if len > 0 => load_graph(dir, basename, &meta, &vectors)?,
            (graph, len) => {
                return Err(incompatible(
                    &meta_path,
                    format!("{len} rows but graph dump {graph:?}"),
                ))
            }
        };
        debug!(dir = %dir.display(), len = meta.len, "vector index loaded");
        Ok(Self {
            dims: meta.dims,
            params: meta.params,
            vectors,
            graph,
        })
    }

    /// Why `vector` cannot be indexed, if it cannot.
    fn check_vector(&self, vector: &[f32]) -> std::result::Result<(), String> {
        if vector.len() != self.dims {
            return Err(format!(
                "{} dimensions, the index has {}",
                vector.len(),
                self.dims
            ));
        }
        if let Some(at) = vector.iter().position(|v| !v.is_finite()) {
            return Err(format!("component {at} is {}", vector[at]));
        }
        let norm = dot(vector, vector).sqrt();
        if (norm - 1.0).abs() > UNIT_TOLERANCE {
            return Err(format!(
                "length {norm}, not 1: the index takes L2-normalised vectors only"
            ));
        }
        Ok(())
    }

    /// The query as a unit vector, or `None` if nothing can match it.
    fn usable_query<'q>(&self, query: &'q [f32]) -> Option<Cow<'q, [f32]>> {
        if query.len() != self.dims || query.iter().any(|v| !v.is_finite()) {
            warn!(
                len = query.len(),
                dims = self.dims,
                "vector query of the wrong length or with non-finite values; no results"
            );
            return None;
        }
        let norm = dot(query, query).sqrt();
        if norm == 0.0 {
            warn!("zero vector query; no results");
            return None;
        }
        if (norm - 1.0).abs() <= 1e-6 {
            return Some(Cow::Borrowed(query));
        }
        Some(Cow::Owned(query.iter().map(|v| v / norm).collect()))
    }

    fn scan(&self, query: &[f32], k: usize, allowed: Option<&RowSet>) -> Vec<VectorHit> {
        if k == 0 {
            return Vec::new();
        }
        let score = |(row, vector): (u32, &[f32])| VectorHit {
            row,
            cosine: dot(query, vector),
        };
        let mut hits: Vec<VectorHit> = match allowed {
            None => (0..)
                .zip(self.vectors.chunks_exact(self.dims))
                .map(score)
                .collect(),
            Some(set) => set
                .iter()
                .map_while(|row| Some((row, self.vector(row)?)))
                .map(score)
                .collect(),
        };
        top_k(&mut hits, k);
        hits
    }
}

fn new_graph(params: HnswParams, capacity: usize) -> Hnsw<'static, f32, UnitDot> {
    Hnsw::new(
        params.max_connections,
        capacity.max(1),
        MAX_LAYERS,
        params.ef_construction,
        UnitDot,
    )
}

/// Keeps the `k` best hits, best first; ties go to the lower row so that
/// both search paths order equal scores the same way.
fn top_k(hits: &mut Vec<VectorHit>, k: usize) {
    let by_rank = |a: &VectorHit, b: &VectorHit| {
        b.cosine
            .total_cmp(&a.cosine)
            .then_with(|| a.row.cmp(&b.row))
    };
    if k == 0 {
        hits.clear();
        return;
    }
    if hits.len() > k {
        hits.select_nth_unstable_by(k - 1, by_rank);
        hits.truncate(k);
    }
    hits.sort_unstable_by(by_rank);
}

/// The graph's distance: `1 - cosine`, computed as a dot product because
/// every vector in the index is unit length (checked on the way in), which
/// saves the two norms per comparison that a general cosine pays.
///
/// Not anndists' `DistDot`: it asserts `dot <= 1`, and the dot product of a
/// unit vector with itself can round to just above 1, which would panic on
/// an exact-duplicate query. hnsw_rs also asserts distances are never
/// negative, hence the clamp. The name is saved in the graph dump and checked
/// on load, so renaming this type makes saved indexes unloadable.
#[derive(Debug, Default, Clone, Copy)]
struct UnitDot;

impl Distance<f32> for UnitDot {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

/// The dot product: the cosine of two unit vectors, as the index compares
/// them. Graph builds and searches spend most of their time here, and the
/// binary targets baseline x86-64 (SSE2), so the widest SIMD the CPU has
/// (AVX2 with FMA, AVX-512) is chosen at run time; two accumulators keep
/// the FMA units busy instead of waiting on one running sum.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    pulp::Arch::new().dispatch(Dot { a, b })
}

struct Dot<'a> {
    a: &'a [f32],
    b: &'a [f32],
}

impl pulp::WithSimd for Dot<'_> {
    type Output = f32;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> f32 {
        let n = self.a.len().min(self.b.len());
        let (a, a_tail) = S::as_simd_f32s(&self.a[..n]);
        let (b, b_tail) = S::as_simd_f32s(&self.b[..n]);
        let (mut even, mut odd) = (simd.splat_f32s(0.0), simd.splat_f32s(0.0));
        let mut pairs = a.chunks_exact(2).zip(b.chunks_exact(2));
        for (x, y) in &mut pairs {
            even = simd.mul_add_e_f32s(x[0], y[0], even);
            odd = simd.mul_add_e_f32s(x[1], y[1], odd);
        }
        if a.len() % 2 == 1 {
            if let (Some(x), Some(y)) = (a.last(), b.last()) {
                even = simd.mul_add_e_f32s(*x, *y, even);
            }
        }
        let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
        simd.reduce_sum_f32s(simd.add_f32s(even, odd)) + tail
    }
}

fn incompatible(path: &Path, reason: String) -> Error {
    Error::Incompatible {
        path: path.to_path_buf(),
        reason,
    }
}

fn graph_files(dir: &Path, basename: &str) -> [PathBuf; 2] {
    GRAPH_SUFFIXES.map(|suffix| dir.join(format!("{basename}{suffix}")))
}

/// Creates (or truncates) `path`, lets `write` fill it, and fsyncs it.
fn write_synced(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let result = File::create(path).and_then(|file| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    result.map_err(Error::io(path))
}

fn read_vectors(path: &Path, len: usize, dims: usize) -> Result<Vec<f32>> {
    let expected = len
        .checked_mul(dims)
        .and_then(|floats| floats.checked_mul(4))
        .ok_or_else(|| incompatible(path, format!("{len} rows of {dims} floats overflow")))?;
    let bytes = fs::read(path).map_err(Error::io(path))?;
    if bytes.len() != expected {
        return Err(incompatible(
            path,
            format!(
                "{} bytes, but the metadata promises {len} vectors of {dims} floats ({expected} \
                 bytes): the save was interrupted or the file was damaged",
                bytes.len()
            ),
        ));
    }
    let vectors: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if let Some(at) = vectors.iter().position(|v| !v.is_finite()) {
        return Err(incompatible(
            path,
            format!("row {} holds a non-finite value", at / dims),
        ));
    }
    Ok(vectors)
}

/// Reloads hnsw_rs's dump and checks it against the vectors file: same row
/// count, every row exactly once, the same vector per row.
fn load_graph(
    dir: &Path,
    basename: &str,
    meta: &Meta,
    vectors: &[f32],
) -> Result<Hnsw<'static, f32, UnitDot>> {
    let [graph_path, _] = graph_files(dir, basename);
    for path in graph_files(dir, basename) {
        fs::metadata(&path).map_err(Error::io(&path))?;
    }
    // The description header is read through the mostly fallible header
    // API first, so a truncated or foreign file is reported before the
    // loader's asserts (its one `unwrap`, on the names, is caught too).
    let file = File::open(&graph_path).map_err(Error::io(&graph_path))?;
    let description = catch_unwind(AssertUnwindSafe(|| {
        load_description(&mut BufReader::new(file))
    }))
    .map_err(|_| incompatible(&graph_path, "the graph header is damaged".into()))?
    .map_err(|e| incompatible(&graph_path, format!("unreadable graph header: {e:#}")))?;
    if description.nb_point != meta.len || description.dimension != meta.dims {
        return Err(incompatible(
            &graph_path,
            format!(
                "graph of {} points of {} dimensions, but the index has {} rows of {}",
                description.nb_point, description.dimension, meta.len, meta.dims
            ),
        ));
    }

    // hnsw_rs ties a loaded graph's lifetime to its `HnswIo` because, when
    // reloading with `datamap` (mmap), the points borrow the mapping that the
    // `HnswIo` owns. We reload with the default options (datamap off): every
    // point owns its vector and nothing borrows from the loader. Leaking the
    // loader (a path, a name and a counter, ~100 bytes per load) is then the
    // only way, without `unsafe`, to get the `Hnsw<'static, ..>` the index
    // stores; loads happen once per generation, so the leak stays tiny.
    //
    // The loader asserts rather than fails on some damaged files; a damaged
    // index must be an error the caller can report, not a crash.
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        let io: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(dir, basename)));
        io.load_hnsw::<f32, UnitDot>()
    }));
    let mut graph = match loaded {
        Ok(Ok(graph)) => graph,
        Ok(Err(e)) => {
            return Err(incompatible(
                &graph_path,
                format!("cannot reload the graph: {e:#}"),
            ))
        }
        Err(_) => {
            return Err(incompatible(
                &graph_path,
                "the graph dump is damaged (hnsw_rs panicked reading it)".into(),
            ))
        }
    };
    // The loader turns candidate extension on; a freshly built graph has it
    // off. Keep appends to a loaded index linking the way a build would.
    graph.set_extend_candidates(false);

    let mut seen = RowSet::new(meta.len);
    for point in graph.get_point_indexation() {
        let row = u32::try_from(point.get_origin_id())
            .ok()
            .filter(|&row| (row as usize) < meta.len);
        let Some(row) = row else {
            return Err(incompatible(
                &graph_path,
                format!("graph holds row {} of {}", point.get_origin_id(), meta.len),
            ));
        };
        let start = row as usize * meta.dims;
        if !seen.insert(row) || point.get_v() != &vectors[start..start + meta.dims] {
            return Err(incompatible(
                &graph_path,
                format!("graph row {row} is duplicated or disagrees with the vectors file"),
            ));
        }
    }
    if seen.len() != meta.len {
        return Err(incompatible(
            &graph_path,
            format!("graph holds {} of {} rows", seen.len(), meta.len),
        ));
    }
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_dot_agrees_with_a_plain_sum_at_every_length() {
        let mut rng = Rng(3);
        for len in [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 383, 384, 385, 1000] {
            let a: Vec<f32> = (0..len).map(|_| rng.next()).collect();
            let b: Vec<f32> = (0..len).map(|_| rng.next()).collect();
            let plain: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            let simd = f64::from(dot(&a, &b));
            assert!(
                (simd - plain).abs() <= 1e-5 * (1.0 + plain.abs()),
                "length {len}: {simd} against {plain}"
            );
        }
    }

    /// splitmix64: reproducible pseudo-random unit vectors without a
    /// dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        }

        fn unit(&mut self, dims: usize) -> Vec<f32> {
            let v: Vec<f32> = (0..dims).map(|_| self.next()).collect();
            let norm = dot(&v, &v).sqrt();
            v.into_iter().map(|x| x / norm).collect()
        }

        fn units(&mut self, n: usize, dims: usize) -> Vec<Vec<f32>> {
            (0..n).map(|_| self.unit(dims)).collect()
        }
    }

    const DIMS: usize = 16;

    /// Always walks the graph, so that tests of the graph path are not
    /// silently answered by the exact scan.
    fn graph_only() -> HnswParams {
        HnswParams {
            exact_below: 0,
            ..HnswParams::default()
        }
    }

    fn vectors_error(result: Result<VectorIndex>) -> String {
        match result {
            Err(Error::Vectors(message)) => message,
            other => panic!("expected a vectors error, got {other:?}"),
        }
    }

    #[test]
    fn index_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<VectorIndex>();
    }

    #[test]
    fn build_names_the_first_unusable_row() {
        let mut rng = Rng(1);
        let mut vectors = rng.units(5, DIMS);
        vectors[3].pop();
        let message = vectors_error(VectorIndex::build(DIMS, &vectors, graph_only()));
        assert!(
            message.contains("row 3") && message.contains("15"),
            "{message}"
        );

        let mut vectors = rng.units(5, DIMS);
        vectors[2][7] = f32::NAN;
        let message = vectors_error(VectorIndex::build(DIMS, &vectors, graph_only()));
        assert!(
            message.contains("row 2") && message.contains("NaN"),
            "{message}"
        );

        let mut vectors = rng.units(5, DIMS);
        vectors[4].iter_mut().for_each(|v| *v *= 2.0);
        let message = vectors_error(VectorIndex::build(DIMS, &vectors, graph_only()));
        assert!(
            message.contains("row 4") && message.contains("normalised"),
            "{message}"
        );

        let bad = HnswParams {
            max_connections: 300,
            ..HnswParams::default()
        };
        let message = vectors_error(VectorIndex::build(DIMS, &rng.units(5, DIMS), bad));
        assert!(message.contains("max_connections"), "{message}");
    }

    #[test]
    fn graph_search_equals_exact_search_on_a_tiny_set() {
        let mut rng = Rng(2);
        let vectors = rng.units(150, DIMS);
        let index = VectorIndex::build(DIMS, &vectors, graph_only()).unwrap();
        assert_eq!((index.len(), index.dims()), (150, DIMS));
        assert_eq!(index.vector(149), Some(vectors[149].as_slice()));
        assert_eq!(index.vector(150), None);
        for _ in 0..20 {
            let query = rng.unit(DIMS);
            let exact = index.exact_search(&query, 10, None);
            assert_eq!(exact.len(), 10);
            assert!(exact.windows(2).all(|w| w[0].cosine >= w[1].cosine));
            // The exact scan really is the best: nothing outside beats its
            // last hit.
            let kth = exact[9].cosine;
            let better = vectors.iter().filter(|v| dot(&query, v) > kth).count();
            assert_eq!(better, 9);
            assert_eq!(index.search(&query, 10, None), exact);
        }
    }

    #[test]
    fn a_stored_vector_finds_itself_first() {
        let mut rng = Rng(3);
        let vectors = rng.units(300, DIMS);
        let index = VectorIndex::build(DIMS, &vectors, graph_only()).unwrap();
        for row in [0u32, 17, 299] {
            let hits = index.search(&vectors[row as usize], 3, None);
            assert_eq!(hits[0].row, row);
            assert!((hits[0].cosine - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn filter_admitting_few_rows_is_scanned_and_respected() {
        let mut rng = Rng(4);
        let index =
            VectorIndex::build(DIMS, &rng.units(3_000, DIMS), HnswParams::default()).unwrap();
        let allowed = RowSet::from_rows((0..3_000).step_by(97), 3_000);
        assert_eq!(allowed.len(), 31);
        assert!(allowed.len() < index.params().exact_below);
        for _ in 0..10 {
            let query = rng.unit(DIMS);
            let hits = index.search(&query, 10, Some(&allowed));
            assert_eq!(hits.len(), 10);
            assert!(hits.iter().all(|hit| hit.row % 97 == 0));
            assert_eq!(hits, index.exact_search(&query, 10, Some(&allowed)));

            let all = index.search(&query, 100, Some(&allowed));
            let mut rows: Vec<u32> = all.iter().map(|hit| hit.row).collect();
            rows.sort_unstable();
            assert_eq!(rows, allowed.iter().collect::<Vec<_>>());
        }
        // Rows past the end of the index are ignored, not a panic.
        let beyond = RowSet::from_rows([5, 10_000], 10_001);
        let hits = index.search(&rng.unit(DIMS), 10, Some(&beyond));
        assert_eq!(hits.iter().map(|hit| hit.row).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn filtered_graph_walk_returns_only_admitted_rows() {
        let mut rng = Rng(5);
        let index = VectorIndex::build(DIMS, &rng.units(1_000, DIMS), graph_only()).unwrap();
        let allowed = RowSet::from_rows((0..1_000).filter(|row| row % 3 != 0), 1_000);
        for _ in 0..10 {
            let query = rng.unit(DIMS);
            let hits = index.search(&query, 10, Some(&allowed));
            assert!(!hits.is_empty());
            assert!(hits.iter().all(|hit| allowed.contains(hit.row)));
        }
        // Admitting every row is the same as not filtering.
        let everything = RowSet::from_rows(0..1_000, 1_000);
        let query = rng.unit(DIMS);
        assert_eq!(
            index.search(&query, 10, Some(&everything)),
            index.search(&query, 10, None)
        );
    }

    #[test]
    fn appended_rows_are_found() {
        let mut rng = Rng(6);
        let mut index = VectorIndex::build(DIMS, &rng.units(300, DIMS), graph_only()).unwrap();
        let fresh = rng.units(50, DIMS);
        let rows = index.append(&fresh).unwrap();
        assert_eq!(rows, 300..350);
        assert_eq!(index.len(), 350);
        for (row, vector) in rows.zip(&fresh) {
            assert_eq!(index.vector(row), Some(vector.as_slice()));
            assert_eq!(index.search(vector, 1, None)[0].row, row);
        }

        // A bad batch adds nothing.
        let mut bad = rng.units(3, DIMS);
        bad[1][0] = f32::INFINITY;
        let message = match index.append(&bad) {
            Err(Error::Vectors(message)) => message,
            other => panic!("expected a vectors error, got {other:?}"),
        };
        assert!(message.contains("row 351"), "{message}");
        assert_eq!(index.len(), 350);
    }

    #[test]
    fn queries_are_normalised_or_refused() {
        let mut rng = Rng(7);
        let index = VectorIndex::build(DIMS, &rng.units(100, DIMS), graph_only()).unwrap();
        let query = rng.unit(DIMS);
        let scaled: Vec<f32> = query.iter().map(|v| v * 3.0).collect();
        let (a, b) = (
            index.search(&query, 5, None),
            index.search(&scaled, 5, None),
        );
        assert_eq!(
            a.iter().map(|h| h.row).collect::<Vec<_>>(),
            b.iter().map(|h| h.row).collect::<Vec<_>>()
        );
        assert!(a
            .iter()
            .zip(&b)
            .all(|(a, b)| (a.cosine - b.cosine).abs() < 1e-5));

        assert!(index.search(&query[1..], 5, None).is_empty());
        assert!(index.exact_search(&[0.0; DIMS], 5, None).is_empty());
        assert!(index.search(&query, 0, None).is_empty());
        assert_eq!(index.exact_search(&query, 1_000, None).len(), 100);
    }

    #[test]
    fn save_and_load_answer_identically() {
        let mut rng = Rng(8);
        let index = VectorIndex::build(DIMS, &rng.units(500, DIMS), graph_only()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        index.save(dir.path()).unwrap();
        let mut loaded = VectorIndex::load(dir.path()).unwrap();
        assert_eq!(
            (loaded.len(), loaded.dims(), loaded.params()),
            (index.len(), index.dims(), index.params())
        );
        let allowed = RowSet::from_rows((0..500).filter(|row| row % 2 == 0), 500);
        for _ in 0..30 {
            let query = rng.unit(DIMS);
            assert_eq!(
                loaded.search(&query, 10, None),
                index.search(&query, 10, None)
            );
            assert_eq!(
                loaded.search(&query, 10, Some(&allowed)),
                index.search(&query, 10, Some(&allowed))
            );
        }

        // The loaded graph keeps growing, and saves again.
        let fresh = rng.unit(DIMS);
        let rows = loaded.append(std::slice::from_ref(&fresh)).unwrap();
        assert_eq!(loaded.search(&fresh, 1, None)[0].row, rows.start);
        let again = tempfile::tempdir().unwrap();
        loaded.save(again.path()).unwrap();
        assert_eq!(VectorIndex::load(again.path()).unwrap().len(), 501);
    }

    #[test]
    fn empty_index_saves_loads_and_grows() {
        let index = VectorIndex::build(DIMS, &[], HnswParams::default()).unwrap();
        assert!(index.is_empty());
        let query = Rng(9).unit(DIMS);
        assert!(index.search(&query, 5, None).is_empty());
        let dir = tempfile::tempdir().unwrap();
        index.save(dir.path()).unwrap();
        let mut loaded = VectorIndex::load(dir.path()).unwrap();
        assert!(loaded.is_empty());
        loaded.append(std::slice::from_ref(&query)).unwrap();
        assert_eq!(loaded.search(&query, 5, None).len(), 1);
    }

    fn incompatible_reason(result: Result<VectorIndex>, file: &str) -> String {
        match result {
            Err(Error::Incompatible { path, reason }) => {
                assert!(path.to_string_lossy().ends_with(file), "{}", path.display());
                reason
            }
            other => panic!("expected Incompatible for {file}, got {other:?}"),
        }
    }

    #[test]
    fn truncated_vectors_file_is_refused() {
        let index = VectorIndex::build(DIMS, &Rng(10).units(50, DIMS), graph_only()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        index.save(dir.path()).unwrap();
        let path = dir.path().join(VECTORS_FILE);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let reason = incompatible_reason(VectorIndex::load(dir.path()), VECTORS_FILE);
        assert!(
            reason.contains(&format!("{} bytes", bytes.len() - 4)),
            "{reason}"
        );
        assert!(reason.contains("50 vectors of 16"), "{reason}");
    }

    #[test]
    fn damaged_graph_or_metadata_is_refused() {
        let index = VectorIndex::build(DIMS, &Rng(11).units(50, DIMS), graph_only()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        index.save(dir.path()).unwrap();
        let graph = dir.path().join(format!("{GRAPH_BASENAME}.hnsw.graph"));
        let bytes = fs::read(&graph).unwrap();
        fs::write(&graph, &bytes[..bytes.len() / 2]).unwrap();
        incompatible_reason(VectorIndex::load(dir.path()), ".hnsw.graph");
        fs::write(&graph, &bytes[..10]).unwrap();
        incompatible_reason(VectorIndex::load(dir.path()), ".hnsw.graph");

        let meta = dir.path().join(META_FILE);
        let text = fs::read_to_string(&meta).unwrap();
        fs::write(
            &meta,
            text.replace("\"format_version\": 1", "\"format_version\": 99"),
        )
        .unwrap();
        let reason = incompatible_reason(VectorIndex::load(dir.path()), META_FILE);
        assert!(reason.contains("99"), "{reason}");
        fs::write(&meta, "{").unwrap();
        incompatible_reason(VectorIndex::load(dir.path()), META_FILE);
    }
}
