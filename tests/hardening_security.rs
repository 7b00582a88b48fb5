//! Hostile use, third pass (issue 25), the security items and the smaller ones: no command
//! smuggled into a script, no secret echoed into a file, no path followed where it should not
//! be, no core dump holding the token. Each test failed on the code before its fix. Servers bind
//! 127.0.0.1; nothing reaches the network.

mod common;

use common::{cli, purchase, temp_dir, write_events};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TOKEN: &str = "tok_SECRET_abcdefghijkl1234";
const SUBSCRIPTIONS: &str = include_str!("fixtures/segment/subscriptions.json");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, stdout, stderr.
fn run(command: &mut std::process::Command) -> (Option<i32>, String, String) {
    let Output { status, stdout, stderr } = command.output().unwrap();
    (status.code(), text(&stdout), text(&stderr))
}

fn workspace(dir: &Path) -> PathBuf {
    let path = dir.join("workspace-in.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1,
        "settings": {"pixel_id": "a2_pixel", "api_version": "v2.0", "test_mode": true, "profile": "segment"},
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&path, w.to_string()).unwrap();
    path
}

/// The fixture's subscriptions with `edit` applied to the list.
fn subscriptions(dir: &Path, edit: impl FnOnce(&mut Vec<Value>)) -> PathBuf {
    let mut value: Value = serde_json::from_str(SUBSCRIPTIONS).unwrap();
    edit(value["data"]["subscriptions"].as_array_mut().unwrap());
    let path = dir.join("subscriptions.json");
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

fn destination(dir: &Path, settings: Value) -> PathBuf {
    let path = dir.join("destination.json");
    let d = json!({"data": {"destination": {"id": "dest_1", "settings": settings}}});
    std::fs::write(&path, d.to_string()).unwrap();
    path
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `dir/home`, created with `mode`.
#[cfg(unix)]
fn home_at(dir: &Path, mode: u32) -> PathBuf {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    set_mode(&home, mode);
    home
}

/// Root can hand a file to another user (uid 65534, "nobody"); others cannot, and skip.
#[cfg(unix)]
fn give_away(path: &Path) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: {} cannot be given to another user; this part is skipped", path.display());
        return false;
    }
    std::os::unix::fs::lchown(path, Some(65534), Some(65534)).unwrap();
    true
}

/// A loopback HTTP server answering every request with `answer(request head)`; returns its base URL.
fn server(answer: impl Fn(&str) -> Option<String> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = text(&head);
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; length];
            let _ = stream.read_exact(&mut body);
            match answer(&head) {
                Some(response) => {
                    let _ = stream.write_all(response.as_bytes());
                }
                // Never answer: hold the connection open.
                None => held.push(stream),
            }
        }
    });
    url
}

// ---------------------------------------------------------------------------------------------
// 1. The cURL script: a mapping name never becomes a command.

#[cfg(unix)]
#[test]
fn a_mapping_name_with_a_line_break_never_runs_in_the_curl_script() {
    let dir = temp_dir("curl-inject");
    let subs = subscriptions(&dir, |subs| subs[0]["name"] = json!("Buy\ntouch pwned #"));
    let ws = dir.join("imported.json");
    let (code, _, stderr) =
        run(cli(&dir.join("home")).args(["import-segment", "--output"]).arg(&ws).arg(&subs));
    assert_eq!(code, Some(0), "{stderr}");
    let events = write_events(&dir, "events.jsonl", &[purchase("m-1")]);
    let (code, script, stderr) =
        run(cli(&dir.join("home")).args(["curl", "--workspace"]).arg(&ws).arg(&events));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(script.contains("# Buy\\ntouch pwned #: event(s) [0]\n"), "{script}");

    // Run it as a person would, with a curl that does nothing.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("curl"), "#!/bin/sh\nexit 0\n").unwrap();
    set_mode(&bin.join("curl"), 0o755);
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("c.sh"), &script).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let status = std::process::Command::new("sh").arg("c.sh").current_dir(&work).env("PATH", path).status();
    assert!(status.unwrap().success());
    assert!(!work.join("pwned").exists(), "the mapping name ran as a command");
}

// ---------------------------------------------------------------------------------------------
// 2. A token the endpoint reflects is masked in what is kept and printed.

#[test]
fn a_token_the_endpoint_echoes_is_never_stored_or_printed() {
    let url = server(|head| {
        let auth = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("authorization")))
            .map_or(String::new(), |(_, v)| v.trim().to_string());
        let body = json!({"message": format!("echo {auth}"), "auth": auth}).to_string();
        Some(format!(
            "HTTP/1.1 200 OK\r\nX-Echo-Auth: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    });
    let dir = temp_dir("echo");
    let home = dir.join("home");
    let events = write_events(&dir, "events.jsonl", &[purchase("e-1")]);
    let (code, stdout, stderr) = run(cli(&home)
        .args(["send", "--format", "json", "--endpoint", &url, "--workspace"])
        .arg(workspace(&dir))
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let secret = &TOKEN[..TOKEN.len() - 4];
    assert!(!stdout.contains(secret) && !stderr.contains(secret), "{stdout}{stderr}");
    assert!(stdout.contains("echo Bearer ••••1234"), "masked, not dropped: {stdout}");
    let history = std::fs::read_to_string(home.join("history.jsonl")).unwrap();
    assert!(!history.contains(secret), "{history}");
    assert!(history.contains(r#"["x-echo-auth","Bearer ••••1234"]"#), "{history}");
    let (code, listed, _) = run(cli(&home).args(["history", "--format", "json"]));
    assert_eq!(code, Some(0));
    assert!(!listed.contains(secret) && listed.contains("••••1234"), "{listed}");
}

// ---------------------------------------------------------------------------------------------
// 3. import-segment masks every secret-named setting, whatever its case or depth.

#[test]
fn import_segment_never_prints_a_secret_setting() {
    let dir = temp_dir("import-mask");
    let secrets = ["ct_camel_0001", "ct_upper_0002", "key_mixed_0003", "nested_tok_0004", "pw_inner_0005"];
    let dest = destination(
        &dir,
        json!({"ad_account_id": "a2_pixel", "conversionToken": secrets[0], "CONVERSION_TOKEN": secrets[1],
               "api_Key": secrets[2], "auth": {"conversion_token": secrets[3]},
               "options": {"password": secrets[4], "region": "eu"}}),
    );
    let subs = subscriptions(&dir, |_| {});
    let (code, stdout, stderr) =
        run(cli(&dir.join("home")).args(["import-segment", "--destination"]).arg(&dest).arg(&subs));
    assert_eq!(code, Some(0), "{stderr}");
    for secret in secrets {
        assert!(!stderr.contains(secret) && !stdout.contains(secret), "{secret} shown: {stderr}");
    }
    for key in ["conversionToken", "CONVERSION_TOKEN", "api_Key", "auth", "options"] {
        assert!(stderr.contains(&format!("{key:?}")), "{key} not named: {stderr}");
    }
    assert!(stderr.contains(r#""region":"eu""#), "what is not secret is still shown: {stderr}");
}

// ---------------------------------------------------------------------------------------------
// 4. A token in a subscription's settings never lands in the workspace or an export.

#[test]
fn a_token_in_a_subscriptions_settings_never_reaches_a_file() {
    let dir = temp_dir("sub-token");
    let (first, second) = ("sub_tok_first_0001", "sub_tok_second_0002");
    let subs = subscriptions(&dir, |subs| {
        subs[0]["settings"]["conversion_token"] = json!(first);
        subs[2]["settings"]["auth"] = json!({"token": second});
    });
    let ws = dir.join("imported.json");
    let (code, _, stderr) =
        run(cli(&dir.join("home")).args(["import-segment", "--output"]).arg(&ws).arg(&subs));
    assert_eq!(code, Some(0), "{stderr}");
    let saved = std::fs::read_to_string(&ws).unwrap();
    for secret in [first, second] {
        assert!(!saved.contains(secret), "{saved}");
        assert!(!stderr.contains(secret), "{stderr}");
    }
    assert!(stderr.contains("subscriptions[0].settings.conversion_token"), "{stderr}");
    assert!(stderr.contains("subscriptions[2].settings.auth"), "{stderr}");
    assert!(saved.contains("batch_size") && saved.contains("audience_id"), "the rest is kept: {saved}");

    // A workspace written before this fix still holds one: the export leaves it out.
    let mut old: Value = serde_json::from_str(&saved).unwrap();
    old["segment"]["unknown_fields"]["Purchase"]["conversion_token"] = json!(first);
    old["segment"]["unsupported"][0]["settings"]["auth"] = json!({"token": second});
    let old_path = dir.join("old.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    for format in ["json", "curl"] {
        let (code, out, err) = run(cli(&dir.join("home"))
            .args(["export-segment", "--format", format, "--workspace"])
            .arg(&old_path));
        assert_eq!(code, Some(0), "{err}");
        for secret in [first, second] {
            assert!(!out.contains(secret) && !err.contains(secret), "{format}: {out}{err}");
        }
        assert!(out.contains("batch_size"), "{out}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The data directory under attack.

/// Sends one event to the in-process emulator with the data directory at `home`.
fn send_with_home(dir: &Path, home: &Path) -> (Option<i32>, String, String) {
    let events = write_events(dir, "events.jsonl", &[purchase("d-1")]);
    run(cli(home).args(["send", "--endpoint", "emulator", "--workspace"]).arg(workspace(dir)).arg(&events))
}

#[cfg(unix)]
#[test]
fn a_history_symlink_is_never_followed() {
    let dir = temp_dir("history-link");
    let home = home_at(&dir, 0o700);
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep\n").unwrap();
    set_mode(&victim, 0o644);
    std::os::unix::fs::symlink(&victim, home.join("history.jsonl")).unwrap();
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("history.jsonl") && stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep\n");
    assert_eq!(mode(&victim), 0o644, "never chmodded through the link");
    // The history command refuses it too.
    let (code, _, stderr) = run(cli(&home).args(["history"]));
    assert_eq!(code, Some(2), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_lock_symlink_creates_nothing() {
    let dir = temp_dir("lock-link");
    let home = home_at(&dir, 0o700);
    let target = dir.join("created-through-the-lock");
    std::os::unix::fs::symlink(&target, home.join("history.lock")).unwrap();
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("history.lock"), "{stderr}");
    assert!(!target.exists(), "the link's target was created");
}

#[cfg(unix)]
#[test]
fn a_data_directory_that_is_a_symlink_is_refused_and_its_target_left_alone() {
    let dir = temp_dir("home-link");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    set_mode(&real, 0o755);
    let home = dir.join("home");
    std::os::unix::fs::symlink(&real, &home).unwrap();
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(mode(&real), 0o755, "the target was chmodded");
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0, "nothing written there");
}

#[cfg(unix)]
#[test]
fn a_shared_data_directory_is_refused_never_chmodded() {
    // As root, REDDIT_CAPI_CONSOLE_HOME=/tmp: the directory is root's own, and at 1777.
    let dir = temp_dir("home-shared");
    let home = home_at(&dir, 0o1777);
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("other users can write") && stderr.contains("1777"), "{stderr}");
    assert_eq!(mode(&home), 0o1777);
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);
    // Commands that only read refuse it too.
    let (code, _, stderr) = run(cli(&home).args(["preview"]).arg(dir.join("events.jsonl")));
    assert_eq!(code, Some(2), "{stderr}");
}

#[cfg(unix)]
#[test]
fn another_users_directory_or_planted_file_is_refused() {
    let dir = temp_dir("home-other");
    let home = home_at(&dir, 0o755);
    if !give_away(&home) {
        return;
    }
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("belongs to another user (uid 65534"), "{stderr}");
    assert_eq!(mode(&home), 0o755, "another user's directory was chmodded");
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0);

    // Our own directory with a workspace another user planted, mode 666.
    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    set_mode(&mine, 0o700);
    let planted = mine.join("workspace.json");
    std::fs::copy(workspace(&dir), &planted).unwrap();
    set_mode(&planted, 0o666);
    give_away(&planted);
    let events = write_events(&dir, "events.jsonl", &[purchase("d-2")]);
    let (code, stdout, stderr) = run(cli(&mine).args(["preview"]).arg(&events));
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("workspace.json") && stderr.contains("another user"), "{stderr}");
    assert_eq!(mode(&planted), 0o666);
}

#[cfg(unix)]
#[test]
fn the_users_own_too_open_files_are_still_narrowed() {
    let dir = temp_dir("home-narrow");
    let home = home_at(&dir, 0o755);
    std::fs::write(home.join("history.jsonl"), "").unwrap();
    set_mode(&home.join("history.jsonl"), 0o644);
    let (code, _, stderr) = send_with_home(&dir, &home);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("history.jsonl")), 0o600);
    assert_eq!(mode(&home.join("history.lock")), 0o600);
}

// ---------------------------------------------------------------------------------------------
// 6. No core dump holds the token.

#[cfg(target_os = "linux")]
#[test]
fn a_send_in_flight_is_not_dumpable_and_has_no_core_limit() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    // Takes the request and never answers: the token is in the process's memory meanwhile.
    let url = server(move |_| {
        let _ = tx.lock().unwrap().send(());
        None
    });
    let dir = temp_dir("core");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let events = write_events(&dir, "events.jsonl", &[purchase("c-1")]);
    let ws = workspace(&dir);
    let mut command = cli(&home);
    command
        .args(["send", "--timeout", "60", "--endpoint", &url, "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // As root, run it as another user: /proc/PID/* of a process that is not dumpable is root's.
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        for path in [&dir.to_path_buf(), &home] {
            set_mode(path, 0o755);
            std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
        }
        command.uid(65534).gid(65534);
    }
    let mut child = command.spawn().unwrap();
    let arrived = rx.recv_timeout(Duration::from_secs(30));
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    let limits = std::fs::read_to_string(proc_dir.join("limits")).unwrap_or_default();
    let owner = std::fs::metadata(proc_dir.join("status")).map(|m| m.uid());
    let status = std::fs::read_to_string(proc_dir.join("status")).unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(arrived.is_ok(), "the send never reached the server");
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap_or_default().to_string();
    assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|u| u.parse::<u32>().ok())
        .unwrap();
    assert_ne!(uid, 0, "the check needs a process that is not root's");
    assert_eq!(owner.unwrap(), 0, "/proc/PID/status of a dumpable process belongs to its user ({uid})");
}

// ---------------------------------------------------------------------------------------------
// 7. A token with a line break is refused on the import path as on the environment's.

#[test]
fn import_segment_refuses_a_token_with_a_line_break() {
    let dir = temp_dir("import-crlf");
    let dest =
        destination(&dir, json!({"ad_account_id": "a2_pixel", "conversion_token": "tok_abc\r\nX-Evil: 1"}));
    let subs = subscriptions(&dir, |_| {});
    let (code, stdout, stderr) = run(cli(&dir.join("home"))
        .args(["import-segment", "--store-token", "--destination"])
        .arg(&dest)
        .arg(&subs));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("settings.conversion_token") && stderr.contains("line break"), "{stderr}");
    assert!(!stderr.contains("X-Evil") && !stderr.contains("tok_abc"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Smaller

#[test]
fn a_malformed_endpoint_is_a_usage_error_before_anything_is_sent() {
    let dir = temp_dir("bad-endpoint");
    let events = write_events(&dir, "events.jsonl", &[purchase("b-1")]);
    for endpoint in ["http://[::1", "http://127.0.0.1:99999"] {
        let (code, stdout, stderr) = run(cli(&dir.join("home"))
            .args(["send", "--endpoint", endpoint, "--workspace"])
            .arg(workspace(&dir))
            .arg(&events)
            .env("REDDIT_CONVERSION_TOKEN", TOKEN));
        assert_eq!(code, Some(2), "{endpoint}: {stdout}{stderr}");
        assert!(stderr.contains("--endpoint"), "{stderr}");
        assert!(!dir.join("home").join("history.jsonl").exists(), "nothing was attempted");
    }
}

#[test]
fn an_endpoint_that_is_not_reddit_never_says_find_it_in_events_manager() {
    let url = server(|_| {
        let body = r#"{"message": "Successfully processed 1 conversion events."}"#;
        Some(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    });
    let dir = temp_dir("other-endpoint");
    let events = write_events(&dir, "events.jsonl", &[purchase("o-1")]);
    let (code, stdout, stderr) = run(cli(&dir.join("home"))
        .args(["send", "--format", "json", "--endpoint", &url, "--workspace"])
        .arg(workspace(&dir))
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stdout.contains("Find it in Events Manager"), "{stdout}");
    assert!(stdout.contains("It is not Reddit"), "{stdout}");
}

#[test]
fn stale_temp_files_of_a_killed_save_are_cleaned_up() {
    let dir = temp_dir("stale-tmp");
    // Above Linux's pid_max: no process has this id.
    let stale = dir.join(".imported.json.4194305.00000000deadbeef.tmp");
    std::fs::write(&stale, "half a workspace").unwrap();
    let subs = subscriptions(&dir, |_| {});
    let (code, _, stderr) = run(cli(&dir.join("home"))
        .args(["import-segment", "--output"])
        .arg(dir.join("imported.json"))
        .arg(&subs));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stale.exists(), "the dead writer's temp file is still there");
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_is_an_error_that_leaves_no_torn_history_line() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir("fsize");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    // Blank lines (skipped when read) up to just under the limit.
    let before = "\n".repeat(40_000);
    std::fs::write(home.join("history.jsonl"), &before).unwrap();
    let events = write_events(&dir, "events.jsonl", &[purchase("f-1")]);
    let mut command = cli(&home);
    command.args(["send", "--endpoint", "emulator", "--workspace"]).arg(workspace(&dir)).arg(&events);
    // SAFETY: setrlimit in the child before exec; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 40_960, rlim_max: 40_960 };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let out = command.output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "killed by a signal? {:?} {stderr}", out.status);
    assert!(stderr.contains("history"), "{stderr}");
    assert_eq!(std::fs::read_to_string(home.join("history.jsonl")).unwrap(), before, "a torn line was left");
}

#[test]
fn the_emulator_refuses_two_hosts_and_reads_an_absolute_targets_authority() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let emu = runtime
        .block_on(reddit_capi_console::emulator::Emulator::start(
            "127.0.0.1:0".parse().unwrap(),
            reddit_capi_console::emulator::Config::default(),
        ))
        .unwrap();
    let ask = |request: String| {
        let mut s = TcpStream::connect(emu.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            if out.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        text(&out)
    };
    let two = ask("GET /_emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".into());
    assert!(two.starts_with("HTTP/1.1 400"), "{two}");
    let absolute = ask(format!(
        "GET http://evil.example/_emulator/events HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emu.addr()
    ));
    assert!(absolute.starts_with("HTTP/1.1 403"), "{absolute}");
    let fine =
        ask(format!("GET /_emulator/events HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", emu.addr()));
    assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");
    drop(emu);
}

#[test]
fn store_token_without_a_keychain_gives_command_line_advice() {
    let dir = temp_dir("store-token");
    let dest = destination(&dir, json!({"ad_account_id": "a2_pixel", "conversion_token": TOKEN}));
    let subs = subscriptions(&dir, |_| {});
    let (code, _, stderr) = run(cli(&dir.join("home"))
        .args(["import-segment", "--store-token", "--destination"])
        .arg(&dest)
        .arg(&subs));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--store-token") && stderr.contains("REDDIT_CONVERSION_TOKEN"), "{stderr}");
    assert!(!stderr.contains("opt in to the token file"), "advice meant for the app: {stderr}");
    assert!(!stderr.contains(&TOKEN[..12]), "{stderr}");
}

#[test]
fn input_errors_say_what_is_wrong_and_never_place_it_at_0_0() {
    let dir = temp_dir("input-errors");
    let home = dir.join("home");
    let surrogate = dir.join("surrogate.jsonl");
    std::fs::write(&surrogate, "{\"type\":\"track\",\"event\":\"a\\ud800x\"}\n").unwrap();
    let joined = dir.join("joined.jsonl");
    std::fs::write(
        &joined,
        "{\"type\":\"track\",\"event\":\"a\"}\n\u{feff}{\"type\":\"track\",\"event\":\"b\"}\n",
    )
    .unwrap();
    let missing = dir.join("missing.jsonl");
    for command in ["preview", "report"] {
        // A lone surrogate is read as JSON.parse reads it (issue 24): no input error.
        let (code, _, stderr) = run(cli(&home).arg(command).arg(&surrogate));
        assert_ne!(code, Some(2), "{stderr}");
        assert!(!stderr.contains("surrogate.jsonl:"), "{command}: {stderr}");
        let (code, _, stderr) = run(cli(&home).arg(command).arg(&joined));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("joined.jsonl:2:1: a byte order mark"), "{command}: {stderr}");
        let (code, _, stderr) = run(cli(&home).arg(command).arg(&missing));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("missing.jsonl: ") && !stderr.contains(":0:0"), "{command}: {stderr}");
    }
}

/// The app, item 5: a refused data directory is neither read nor written, and it says why.
#[cfg(all(unix, feature = "gui"))]
mod app {
    use super::*;
    use std::sync::Arc;

    use egui_kittest::Harness;
    use reddit_capi_console::app::worker::{BoxFuture, Dialogs, FileKind};
    use reddit_capi_console::app::{AppConfig, ConsoleApp};
    use reddit_capi_console::paths::DataDir;
    use reddit_capi_console::secret::tokens::Keychain;

    struct NoDialogs;

    impl Dialogs for NoDialogs {
        fn open(&self, _kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
            Box::pin(async { None })
        }
        fn save(&self, _: FileKind, _: String, _: Vec<u8>) -> BoxFuture<Option<Result<String, String>>> {
            Box::pin(async { None })
        }
    }

    #[test]
    fn the_app_neither_reads_nor_writes_through_a_symlinked_data_directory() {
        let dir = temp_dir("app-link");
        let real = dir.join("real");
        std::fs::create_dir_all(&real).unwrap();
        set_mode(&real, 0o755);
        let planted = json!({"format": "reddit-capi-console/workspace", "version": 1,
            "settings": {"pixel_id": "a2_planted", "api_version": "v2.0", "test_mode": true, "profile": "segment"},
            "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
        std::fs::write(real.join("workspace.json"), planted.to_string()).unwrap();
        let home = dir.join("home");
        std::os::unix::fs::symlink(&real, &home).unwrap();
        let config = AppConfig {
            data_dir: Some(DataDir::new(&home)),
            dialogs: Arc::new(NoDialogs),
            keychain: Arc::new(|| Keychain::Unavailable("test".into())),
            env_token: None,
        };
        let mut harness = Harness::builder().build_eframe(move |cc| ConsoleApp::new(&cc.egui_ctx, config));
        harness.run_steps(3);
        let app = harness.state_mut();
        let notices: Vec<&str> = app.state.notices.iter().map(|n| n.text.as_str()).collect();
        assert!(notices.iter().any(|n| n.contains("home") && n.contains("symbolic link")), "{notices:?}");
        assert_ne!(app.state.settings().pixel_id, "a2_planted", "read through the link");
        assert_eq!(app.save_now(), Ok(None), "nowhere to save");
        drop(harness);
        let names: Vec<_> = std::fs::read_dir(&real).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["workspace.json"], "written through the link");
        assert_eq!(mode(&real), 0o755);
    }
}
