//! patmatch's outer layer: the `patmatch` binary and, from the API issue on,
//! the HTTP service.
//!
//! Owns: the command line, settings resolution (defaults < config file < env
//! < flags), logging, progress display, and later the axum router. It is the
//! only crate that knows axum, clap and indicatif.
//!
//! Does not own: any domain rule, storage, index or ranking logic. Those live
//! in corpus, indexer and ranker; the binary only wires them together.
