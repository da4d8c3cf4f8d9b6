//! Recognises commands that look destructive, so `check` can ask for `danger` or `confirm` on them.
//!
//! A pure function of a statement's text, the comment above it and the step's title: each simple
//! command (inside loops, lists and substitutions too, and inside the quoted command given to
//! `ssh`, `knife ssh`, `sh -c`, `kubectl exec --`, `gcloud compute ssh --command`) is judged
//! destructive, read-only or unknown; an unknown one is destructive when its comment or the
//! title says it changes state (failover, restart, purge, …).

use super::shell_words::{self, Simple};
use super::sql;

/// How deep quoted remote commands are followed (`ssh h "sudo sh -c '…'"`).
const MAX_DEPTH: usize = 4;

/// What one simple command does, as far as the check can tell.
#[derive(Debug)]
enum Verdict {
    /// Changes or removes something: the reason, as a short quotable phrase.
    Destructive(String),
    /// Only reads or shows.
    ReadOnly,
    /// Not known either way: the program's name, for a message.
    Unknown(String),
}
use Verdict::{Destructive, ReadOnly, Unknown};

/// What makes `code` look destructive, as a short quotable phrase, or `None`.
pub fn looks_destructive(code: &str) -> Option<String> {
    looks_destructive_in(code, None, None)
}

/// [`looks_destructive`] for a statement under a comment (its label) in a step with a title: an
/// unknown program is destructive when either says the step changes state. Comment lines inside
/// `code` apply to the commands below them.
pub fn looks_destructive_in(
    code: &str,
    comment: Option<&str>,
    title: Option<&str>,
) -> Option<String> {
    if let Some(reason) = sql::reason(code) {
        return Some(reason);
    }
    let split = shell_words::split(code);
    for command in &split.commands {
        match verdict(command, 0) {
            Destructive(reason) => return Some(reason),
            ReadOnly => {}
            Unknown(program) => {
                let own = command.comment.map(|at| split.comments[at].as_str());
                if let Some(word) = own.or(comment).and_then(intent) {
                    return Some(format!("`{program}` (its comment says `{word}`)"));
                }
                if let Some(word) = title.and_then(intent) {
                    return Some(format!("`{program}` (the step's title says `{word}`)"));
                }
            }
        }
    }
    None
}

/// The word of `text` that says it changes state, if any.
fn intent(text: &str) -> Option<&'static str> {
    const WORDS: &[(&str, &str)] = &[
        ("failover", "failover"),
        ("failovers", "failover"),
        ("failback", "failback"),
        ("switchover", "switchover"),
        ("swap", "swap"),
        ("swapping", "swap"),
        ("restart", "restart"),
        ("restarting", "restart"),
        ("reboot", "reboot"),
        ("drop", "drop"),
        ("purge", "purge"),
        ("reset", "reset"),
        ("rollback", "rollback"),
        ("promote", "promote"),
        ("promoting", "promote"),
        ("shutdown", "shutdown"),
        ("decommission", "decommission"),
        ("wipe", "wipe"),
        ("evacuate", "evacuate"),
        ("destroy", "destroy"),
    ];
    const PHRASES: &[(&str, &str, &str)] = &[
        ("fail", "over", "failover"),
        ("fail", "back", "failback"),
        ("failing", "over", "failover"),
        ("switch", "over", "switchover"),
        ("roll", "back", "rollback"),
        ("shut", "down", "shutdown"),
    ];
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        // "Capture evidence before restarting", "check it did not fail over": no action here.
        if i > 0
            && matches!(
                words[i - 1],
                "before" | "after" | "without" | "not" | "no" | "avoid" | "prevent" | "until"
            )
        {
            continue;
        }
        if let Some((_, word)) = WORDS.iter().find(|(form, _)| form == w) {
            return Some(word);
        }
        let next = words.get(i + 1).copied().unwrap_or("");
        if let Some((_, _, word)) = PHRASES.iter().find(|(a, b, _)| a == w && *b == next) {
            return Some(word);
        }
    }
    None
}

/// Words that start a command in a compound one (`do kubectl drain`, `then rm -rf`).
const LEADING: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{", "time", "}",
];

/// Words that run the next word, with those of their options that take a value (also what
/// `programs` looks through).
pub(super) const WRAPPERS: &[(&str, &[&str])] = &[
    (
        "sudo",
        &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
    ),
    ("doas", &["-u", "-C"]),
    ("nohup", &[]),
    ("exec", &["-a"]),
    (
        "xargs",
        &["-n", "-I", "-L", "-P", "-d", "-E", "-s", "-a", "-i"],
    ),
    ("env", &["-u", "-C", "-S"]),
    ("time", &["-f", "-o"]),
    ("command", &[]),
    ("nice", &["-n"]),
    ("ionice", &["-c", "-n"]),
    ("stdbuf", &[]),
    ("timeout", &["-s", "-k"]),
    ("watch", &["-n", "--interval"]),
    ("chroot", &[]),
];

/// Programs that only read or show.
const READ_ONLY: &[&str] = &[
    "echo",
    "printf",
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "zgrep",
    "rg",
    "ag",
    "jq",
    "yq",
    "ls",
    "ll",
    "pwd",
    "cd",
    "pushd",
    "popd",
    "ps",
    "pgrep",
    "top",
    "htop",
    "vmstat",
    "iostat",
    "mpstat",
    "sar",
    "df",
    "du",
    "free",
    "uptime",
    "date",
    "whoami",
    "id",
    "hostname",
    "uname",
    "ping",
    "ping6",
    "dig",
    "nslookup",
    "host",
    "traceroute",
    "mtr",
    "netstat",
    "ss",
    "lsof",
    "journalctl",
    "dmesg",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "column",
    "diff",
    "stat",
    "file",
    "which",
    "type",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "sleep",
    "read",
    "for",
    "while",
    "until",
    "case",
    "esac",
    "done",
    "fi",
    "in",
    "select",
    "export",
    "source",
    ".",
    "set",
    "unset",
    "local",
    "declare",
    "awk",
    "mkdir",
    "touch",
    "man",
    "base64",
    "md5sum",
    "sha256sum",
    "nc",
    "telnet",
    "openssl",
    "kubectx",
    "kubens",
    "psql",
    "mysql",
    "mongo",
    "mongosh",
    "sqlite3",
    "select",
    "show",
    "explain",
    "describe",
    "with",
    "\\d",
    "\\dt",
    "ssh",
    "vault",
    "wait",
    "clear",
    "tree",
    "nproc",
    "lsblk",
    "blkid",
    "findmnt",
    "mount",
    "getent",
    "curl",
    "wget",
    "http",
    "https",
    "xh",
    "tee",
    "break",
    "continue",
    "exit",
    "return",
    "shift",
    "trap",
    ":",
];

fn verdict(command: &Simple, depth: usize) -> Verdict {
    words_verdict(&command.words, command.heredoc.as_deref(), depth)
}

fn words_verdict(words: &[String], heredoc: Option<&str>, depth: usize) -> Verdict {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if LEADING.contains(&w.as_str()) || crate::markdown::shell::is_assignment(w) {
            i += 1;
        } else if let Some((name, valued)) = WRAPPERS.iter().find(|(name, _)| name == w) {
            i += 1;
            while let Some(option) = words.get(i).filter(|o| o.starts_with('-')) {
                i += if valued.contains(&option.as_str()) {
                    2
                } else {
                    1
                };
            }
            if matches!(*name, "timeout" | "chroot") {
                i += 1; // the duration, the root
            }
        } else {
            break;
        }
    }
    let Some(first) = words.get(i) else {
        return ReadOnly;
    };
    let program = first
        .rsplit('/')
        .next()
        .unwrap_or(first)
        .to_ascii_lowercase();
    let args: Vec<&str> = words[i + 1..].iter().map(String::as_str).collect();
    if args.iter().any(|a| {
        *a == "--dryrun"
            || *a == "--what-if"
            || (a.starts_with("--dry-run") && !a.ends_with("=none"))
    }) {
        return ReadOnly;
    }
    let d = |reason: String| Destructive(reason);
    let positional: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let first_pos = positional.first().copied().unwrap_or("");
    let any = |set: &[&str]| args.iter().any(|a| set.contains(a));
    match program.as_str() {
        "rm" => {
            if args.iter().any(|a| {
                (a.starts_with('-') && !a.starts_with("--") && (a.contains('r') || a.contains('R')))
                    || *a == "--recursive"
            }) {
                d("`rm -r`".into())
            } else {
                Unknown(program)
            }
        }
        "find" => {
            let exec_rm = args
                .windows(2)
                .any(|w| matches!(w[0], "-exec" | "-execdir") && matches!(w[1], "rm" | "shred"));
            if any(&["-delete"]) || exec_rm {
                d("`find -delete`".into())
            } else {
                ReadOnly
            }
        }
        "shred" | "wipefs" | "fdisk" | "sfdisk" | "parted" | "reboot" | "shutdown" | "halt"
        | "poweroff" | "kill" | "pkill" | "killall" | "ifdown" | "truncate" | "flushall"
        | "flushdb" | "userdel" | "deluser" => d(format!("`{program}`")),
        p if p.starts_with("mkfs") => d(format!("`{p}`")),
        "dd" if args.iter().any(|a| a.starts_with("of=")) => d("`dd of=`".into()),
        "init" | "telinit" if matches!(first_pos, "0" | "6") => d(format!("`{program}`")),
        "sed"
            if args
                .iter()
                .any(|a| a.starts_with("-i") || *a == "--in-place") =>
        {
            Unknown(program)
        }
        "sentinel" if any(&["failover", "FAILOVER", "reset", "RESET", "remove", "REMOVE"]) => {
            d("`SENTINEL failover`".into())
        }
        "kubectl" | "oc" | "k" | "kubecolor" => kube(&program, &args, depth),
        "helm" => verb(
            &program,
            &skip_options(
                &args,
                &["-n", "--namespace", "--kube-context", "--kubeconfig"],
            ),
            &[
                "uninstall",
                "delete",
                "del",
                "un",
                "rollback",
                "upgrade",
                "install",
            ],
            &[
                "list",
                "ls",
                "status",
                "history",
                "get",
                "show",
                "template",
                "search",
                "repo",
                "version",
                "lint",
                "diff",
                "dependency",
                "env",
            ],
        ),
        "terraform" | "tf" | "terragrunt" | "tofu" => {
            let pos = skip_options(&args, &[]);
            let sub = pos.get(1).copied().unwrap_or("");
            match pos.first().copied().unwrap_or("") {
                v @ ("apply" | "destroy" | "import" | "taint" | "untaint" | "force-unlock"
                | "run-all") => d(format!("`{program} {v}`")),
                "state" if matches!(sub, "rm" | "mv" | "push" | "replace-provider") => {
                    d(format!("`{program} state {sub}`"))
                }
                "workspace" if sub == "delete" => d(format!("`{program} workspace delete`")),
                "plan" | "show" | "output" | "validate" | "fmt" | "init" | "version"
                | "providers" | "graph" | "state" | "workspace" | "console" => ReadOnly,
                _ => Unknown(program),
            }
        }
        "aws" => aws(&args, &positional),
        "gcloud" => gcloud(&args, &positional, depth),
        "az" => {
            if let Some(v) = positional.iter().find(|p| {
                matches!(
                    **p,
                    "delete"
                        | "stop"
                        | "restart"
                        | "failover"
                        | "deallocate"
                        | "purge"
                        | "reset"
                        | "restore"
                        | "swap"
                        | "scale"
                        | "update"
                        | "remove"
                        | "revoke"
                        | "regenerate-key"
                )
            }) {
                d(format!("`az … {v}`"))
            } else if positional.iter().any(|p| {
                matches!(*p, "show" | "list" | "login" | "account") || p.starts_with("get-")
            }) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "systemctl" => verb(
            &program,
            &positional,
            &[
                "stop",
                "restart",
                "kill",
                "disable",
                "mask",
                "reboot",
                "poweroff",
                "isolate",
                "reload",
                "try-restart",
                "reload-or-restart",
                "halt",
                "kexec",
                "rescue",
                "emergency",
            ],
            &[
                "status",
                "is-active",
                "is-enabled",
                "is-failed",
                "list-units",
                "list-unit-files",
                "list-timers",
                "cat",
                "show",
            ],
        ),
        "service" => {
            if let Some(v) = positional.iter().find(|p| {
                matches!(
                    **p,
                    "stop" | "restart" | "reload" | "force-reload" | "force-stop"
                )
            }) {
                d(format!("`service … {v}`"))
            } else if any(&["status", "--status-all"]) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "gitlab-ctl" => {
            if matches!(
                first_pos,
                "stop"
                    | "restart"
                    | "kill"
                    | "term"
                    | "hup"
                    | "int"
                    | "reconfigure"
                    | "cleanse"
                    | "uninstall"
                    | "remove-accounts"
                    | "pg-upgrade"
                    | "revert-pg-upgrade"
                    | "restart-except"
                    | "graceful-kill"
                    | "deploy-page"
            ) || first_pos.starts_with("promote")
            {
                d(format!("`gitlab-ctl {first_pos}`"))
            } else if matches!(
                first_pos,
                "status" | "tail" | "service-list" | "show-config"
            ) || first_pos.starts_with("get-")
            {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "supervisorctl" => verb(
            &program,
            &positional,
            &["stop", "restart", "remove", "shutdown", "reload"],
            &["status", "tail", "avail"],
        ),
        "pg_ctl" | "pg_ctlcluster" => {
            if let Some(v) = positional
                .iter()
                .find(|p| matches!(**p, "stop" | "restart" | "promote" | "kill"))
            {
                d(format!("`{program} {v}`"))
            } else if any(&["status"]) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "patronictl" | "repmgr" => {
            if let Some(v) = positional.iter().find(|p| {
                matches!(
                    **p,
                    "failover"
                        | "switchover"
                        | "restart"
                        | "reinit"
                        | "remove"
                        | "pause"
                        | "promote"
                        | "unregister"
                        | "rejoin"
                )
            }) {
                d(format!("`{program} {v}`"))
            } else if any(&[
                "list",
                "show-config",
                "history",
                "show",
                "status",
                "topology",
            ]) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "redis-cli" | "valkey-cli" => {
            let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            let has = |w: &str| lower.iter().any(|a| a == w);
            if let Some(v) = [
                "flushall",
                "flushdb",
                "shutdown",
                "del",
                "unlink",
                "failover",
                "replicaof",
                "slaveof",
            ]
            .iter()
            .find(|w| has(w))
            {
                d(format!("`redis-cli {}`", v.to_ascii_uppercase()))
            } else if (has("config") && has("set")) || (has("client") && has("kill")) {
                d("`redis-cli` setting change".into())
            } else {
                ReadOnly
            }
        }
        "docker" | "podman" | "nerdctl" | "docker-compose" => docker(&program, &args, depth),
        "iptables" | "ip6tables" | "nft" => {
            if any(&[
                "-F", "-X", "-D", "-A", "-I", "-P", "-R", "-Z", "--flush", "--delete", "--append",
                "--insert", "--policy", "flush", "delete", "add", "insert", "replace",
            ]) {
                d(format!("`{program}` rule change"))
            } else if args.iter().any(|a| {
                (a.starts_with('-') && !a.starts_with("--") && (a.contains('L') || a.contains('S')))
                    || *a == "list"
            }) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "ufw"
            if matches!(
                first_pos,
                "disable" | "deny" | "delete" | "reset" | "reject"
            ) =>
        {
            d(format!("`ufw {first_pos}`"))
        }
        "ip" => {
            if any(&["del", "delete", "flush"]) || (any(&["set"]) && any(&["down"])) {
                d("`ip` link or route change".into())
            } else {
                ReadOnly
            }
        }
        "git" => {
            let has = |s: &str| args.contains(&s);
            if (has("push") && args.iter().any(|a| *a == "-f" || a.starts_with("--force")))
                || (has("reset") && has("--hard"))
                || (has("clean") && args.iter().any(|a| a.starts_with('-') && a.contains('f')))
            {
                d("`git` history or work-tree rewrite".into())
            } else if matches!(
                first_pos,
                "log" | "status" | "diff" | "show" | "fetch" | "branch" | "blame" | "grep"
            ) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "etcdctl" => {
            let has = |s: &str| args.contains(&s);
            if matches!(first_pos, "del" | "defrag")
                || (first_pos == "member" && has("remove"))
                || (first_pos == "snapshot" && has("restore"))
            {
                d(format!("`etcdctl {first_pos}`"))
            } else {
                ReadOnly
            }
        }
        "salt" | "salt-call" | "salt-ssh" => {
            if let Some(at) = args.iter().position(|a| *a == "cmd.run")
                && let Some(inner) = args.get(at + 1)
                && let Destructive(r) = nested(inner, &program, depth)
            {
                return Destructive(r);
            }
            if args.iter().any(|a| {
                a.starts_with("state.") || a.starts_with("service.") || a.starts_with("system.")
            }) {
                d("`salt` state or service change".into())
            } else {
                Unknown(program)
            }
        }
        "ceph" | "rados" | "rbd" | "radosgw-admin" => {
            if let Some(v) = positional.iter().find(|p| {
                matches!(
                    **p,
                    "rm" | "remove"
                        | "purge"
                        | "destroy"
                        | "delete"
                        | "out"
                        | "down"
                        | "set"
                        | "unset"
                        | "set-quota"
                        | "reweight"
                        | "fail"
                        | "repair"
                        | "trim"
                        | "rollback"
                )
            }) {
                d(format!("`{program} … {v}`"))
            } else if positional.iter().any(|p| {
                matches!(
                    *p,
                    "status"
                        | "health"
                        | "df"
                        | "ls"
                        | "list"
                        | "stat"
                        | "perf"
                        | "dump"
                        | "tree"
                        | "query"
                        | "daemon"
                        | "info"
                        | "versions"
                        | "report"
                        | "du"
                )
            }) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "curl" => curl(&args),
        "wget" => {
            let method = args.iter().enumerate().find_map(|(i, a)| {
                a.strip_prefix("--method=")
                    .or_else(|| (*a == "--method").then(|| args.get(i + 1).copied().unwrap_or("")))
            });
            if method.is_some_and(changes_state)
                || args.iter().any(|a| {
                    ["--post-data", "--post-file", "--body-data", "--body-file"]
                        .iter()
                        .any(|o| a.starts_with(o))
                })
            {
                d("`wget` request that changes state".into())
            } else if let Some(word) = url_intent(&args) {
                d(format!("`wget` of a `{word}` URL"))
            } else {
                ReadOnly
            }
        }
        "http" | "https" | "xh" | "xhs" => {
            let method = positional.first().copied().unwrap_or("");
            let items = positional.iter().skip(1).any(|p| {
                !p.contains("://") && p.contains('=') && !p.contains("==") && !p.contains(':')
            });
            if changes_state(method) || items || any(&["-f", "--form"]) {
                d(format!("`{program}` request that changes state"))
            } else if let Some(word) = url_intent(&args) {
                d(format!("`{program}` of a `{word}` URL"))
            } else {
                ReadOnly
            }
        }
        "ssh" | "mosh" | "autossh" => {
            let rest = skip_options(
                &args,
                &[
                    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O",
                    "-o", "-p", "-Q", "-R", "-S", "-W", "-w",
                ],
            );
            let remote = rest.get(1..).unwrap_or(&[]).join(" ");
            let mut out = nested(&remote, &program, depth);
            if let (ReadOnly, Some(body)) = (&out, heredoc) {
                out = nested(body, &program, depth);
            }
            out
        }
        "knife" => {
            if first_pos == "ssh" {
                let pos = skip_options(
                    &args,
                    &[
                        "-x",
                        "-a",
                        "-C",
                        "-i",
                        "-p",
                        "-G",
                        "-P",
                        "--ssh-user",
                        "--attribute",
                        "--concurrency",
                        "--ssh-port",
                        "--identity-file",
                    ],
                );
                let remote = pos.get(2..).unwrap_or(&[]).join(" ");
                nested(&remote, "knife ssh", depth)
            } else if positional.contains(&"delete") {
                d("`knife … delete`".into())
            } else if matches!(
                first_pos,
                "search" | "status" | "node" | "role" | "environment"
            ) {
                ReadOnly
            } else {
                Unknown(program)
            }
        }
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "su" => {
            let at = args.iter().position(|a| {
                *a == "--command"
                    || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c'))
            });
            match at.and_then(|at| args.get(at + 1)) {
                Some(inner) => nested(inner, &format!("{program} -c"), depth),
                None if program == "su" => ReadOnly,
                None => match heredoc {
                    Some(body) => nested(body, &program, depth),
                    None => Unknown(program),
                },
            }
        }
        "fs_cli" => {
            let inner = args
                .iter()
                .skip_while(|a| **a != "-x")
                .nth(1)
                .copied()
                .unwrap_or("");
            if ["shutdown", "restart", "stop", "kill", "unload"]
                .iter()
                .any(|w| inner.contains(w))
            {
                d("`fs_cli` running a stop, restart or shutdown".into())
            } else {
                ReadOnly
            }
        }
        p if READ_ONLY.contains(&p) => ReadOnly,
        // Any tool asked only to show something (`dcctl status`, `kafka-… --describe`).
        _ if matches!(
            first_pos,
            "status" | "list" | "ls" | "show" | "get" | "describe" | "info" | "version" | "help"
        ) || any(&["--describe", "--list"])
            || (args.len() == 1 && any(&["--help", "--version", "-h"])) =>
        {
            ReadOnly
        }
        _ => Unknown(program),
    }
}

/// The words that are not options, skipping the values of the options in `valued`.
fn skip_options<'a>(args: &[&'a str], valued: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.starts_with('-') {
            i += if valued.contains(a) { 2 } else { 1 };
        } else {
            out.push(*a);
            i += 1;
        }
    }
    out
}

/// A program whose first positional word is its verb.
fn verb(program: &str, positional: &[&str], destructive: &[&str], read_only: &[&str]) -> Verdict {
    let v = positional.first().copied().unwrap_or("");
    if destructive.contains(&v) {
        Destructive(format!("`{program} {v}`"))
    } else if read_only.contains(&v) || v.is_empty() {
        ReadOnly
    } else {
        Unknown(program.to_string())
    }
}

/// A command given to another program to run (`ssh host '…'`), judged as its own text.
fn nested(code: &str, through: &str, depth: usize) -> Verdict {
    if code.trim().is_empty() {
        return ReadOnly;
    }
    if depth >= MAX_DEPTH {
        return Unknown(through.to_string());
    }
    if let Some(reason) = sql::reason(code) {
        return Destructive(format!("{reason} through `{through}`"));
    }
    let mut unknown = None;
    for command in shell_words::split(code).commands {
        match verdict(&command, depth + 1) {
            Destructive(reason) if reason.contains(" through `") => return Destructive(reason),
            Destructive(reason) => return Destructive(format!("{reason} through `{through}`")),
            ReadOnly => {}
            Unknown(p) => unknown = unknown.or(Some(p)),
        }
    }
    unknown.map_or(ReadOnly, Unknown)
}

fn changes_state(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "POST" | "PUT" | "DELETE" | "PATCH"
    )
}

/// A state-changing word in the path of a URL argument (`…/api/failover?dc=2`).
fn url_intent(args: &[&str]) -> Option<&'static str> {
    const URL_WORDS: &[&str] = &[
        "failover",
        "failback",
        "switchover",
        "swap",
        "restart",
        "reboot",
        "drop",
        "purge",
        "reset",
        "rollback",
        "promote",
        "shutdown",
        "drain",
        "flush",
        "delete",
        "stop",
        "kill",
        "disable",
    ];
    let url = args.iter().find(|a| a.contains("://"))?;
    let path = url.split_once("://").map_or(*url, |(_, rest)| rest);
    let path = path
        .split_once('/')
        .map_or("", |(_, p)| p)
        .to_ascii_lowercase();
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|w| URL_WORDS.iter().find(|u| **u == w).copied())
}

fn curl(args: &[&str]) -> Verdict {
    let method = args.iter().enumerate().find_map(|(i, a)| {
        if matches!(*a, "-X" | "--request") {
            args.get(i + 1).copied()
        } else {
            a.strip_prefix("--request=")
                .or_else(|| a.strip_prefix("-X").filter(|m| !m.is_empty()))
        }
    });
    if let Some(m) = method.filter(|m| changes_state(m)) {
        return Destructive(format!("`curl -X {}`", m.to_ascii_uppercase()));
    }
    let body = args.iter().any(|a| {
        matches!(
            *a,
            "-d" | "-F" | "--form" | "--json" | "-T" | "--upload-file"
        ) || a.starts_with("--data")
            || (a.starts_with("-d") && a.len() > 2 && !a.starts_with("--"))
    });
    if body && method.is_none() && !args.iter().any(|a| matches!(*a, "-G" | "--get")) {
        return Destructive("`curl` request that changes state".into());
    }
    match url_intent(args) {
        Some(word) => Destructive(format!("`curl` of a `{word}` URL")),
        None => ReadOnly,
    }
}

fn aws(args: &[&str], positional: &[&str]) -> Verdict {
    const PREFIXES: &[&str] = &[
        "terminate-",
        "delete-",
        "stop-",
        "reboot-",
        "failover-",
        "deregister-",
        "remove-",
        "purge-",
        "detach-",
        "disable-",
        "reset-",
        "restore-",
        "promote-",
        "switchover-",
        "modify-",
        "update-",
        "put-",
        "revoke-",
        "cancel-",
        "start-db-cluster-failover",
    ];
    if let Some(op) = positional
        .iter()
        .find(|a| PREFIXES.iter().any(|p| a.starts_with(p)))
    {
        return Destructive(format!("`aws … {op}`"));
    }
    if positional.contains(&"s3")
        && let Some(op) = positional
            .iter()
            .find(|p| matches!(**p, "rm" | "rb" | "mv"))
    {
        return Destructive(format!("`aws s3 {op}`"));
    }
    if positional.contains(&"s3") && positional.contains(&"sync") && args.contains(&"--delete") {
        return Destructive("`aws s3 sync --delete`".into());
    }
    if positional.iter().any(|p| {
        ["describe-", "get-", "list-", "lookup-", "search-"]
            .iter()
            .any(|x| p.starts_with(x))
            || matches!(
                *p,
                "ls" | "wait" | "presign" | "cp" | "tail" | "filter-log-events"
            )
    }) {
        ReadOnly
    } else {
        Unknown("aws".into())
    }
}

fn gcloud(args: &[&str], positional: &[&str], depth: usize) -> Verdict {
    if positional.contains(&"ssh") {
        let command = args.iter().enumerate().find_map(|(i, a)| {
            a.strip_prefix("--command=")
                .or_else(|| (*a == "--command").then(|| args.get(i + 1).copied().unwrap_or("")))
        });
        let after = args
            .iter()
            .position(|a| *a == "--")
            .map(|at| args[at + 1..].join(" "));
        return match (command, after) {
            (Some(c), _) => nested(c, "gcloud compute ssh", depth),
            (None, Some(a)) => nested(&a, "gcloud compute ssh", depth),
            (None, None) => ReadOnly,
        };
    }
    const VERBS: &[&str] = &[
        "delete",
        "stop",
        "reset",
        "restart",
        "failover",
        "promote-replica",
        "resize",
        "detach-disk",
        "restore",
        "rollback",
        "switchover",
        "suspend",
        "remove-iam-policy-binding",
        "set-iam-policy",
        "patch",
        "update",
        "deploy",
        "abandon-instances",
        "recreate-instances",
        "rolling-action",
    ];
    if let Some(v) = positional.iter().find(|p| VERBS.contains(p)) {
        Destructive(format!("`gcloud … {v}`"))
    } else if positional.iter().any(|p| {
        matches!(
            *p,
            "describe"
                | "list"
                | "info"
                | "config"
                | "auth"
                | "version"
                | "read"
                | "get-credentials"
        ) || p.starts_with("get-")
    }) {
        ReadOnly
    } else {
        Unknown("gcloud".into())
    }
}

fn kube(program: &str, args: &[&str], depth: usize) -> Verdict {
    let pos = skip_options(
        args,
        &[
            "-n",
            "--namespace",
            "--context",
            "--kubeconfig",
            "--cluster",
            "--user",
            "-s",
            "--server",
            "--as",
            "--token",
            "-c",
            "--container",
            "-l",
            "--selector",
            "-o",
            "--output",
            "-f",
            "--filename",
        ],
    );
    let verb = pos.first().copied().unwrap_or("");
    let sub = pos.get(1).copied().unwrap_or("");
    // `exec`, `debug`, `rsh`, `run`: the command after `--` runs in a pod or on a node.
    if matches!(verb, "exec" | "debug" | "rsh" | "run")
        && let Some(at) = args.iter().position(|a| *a == "--")
    {
        return nested(
            &args[at + 1..].join(" "),
            &format!("{program} {verb}"),
            depth,
        );
    }
    match verb {
        "delete" | "drain" | "cordon" | "uncordon" | "replace" | "patch" | "apply" | "edit"
        | "taint" | "set" | "annotate" | "label" | "scale" | "autoscale" => {
            Destructive(format!("`{program} {verb}`"))
        }
        "rollout" if matches!(sub, "restart" | "undo" | "pause" | "resume") => {
            Destructive(format!("`{program} rollout {sub}`"))
        }
        "adm"
            if matches!(
                sub,
                "drain"
                    | "cordon"
                    | "uncordon"
                    | "taint"
                    | "prune"
                    | "certificate"
                    | "policy"
                    | "groups"
                    | "reboot-machine-config-pool"
            ) || (sub == "upgrade" && args.iter().any(|a| a.starts_with("--to"))) =>
        {
            Destructive(format!("`{program} adm {sub}`"))
        }
        "get" | "describe" | "logs" | "top" | "explain" | "version" | "api-resources"
        | "api-versions" | "cluster-info" | "auth" | "config" | "wait" | "events" | "whoami"
        | "port-forward" | "diff" | "status" | "project" | "projects" | "login" | "exec"
        | "rsh" | "debug" | "cp" | "rollout" | "adm" | "" => ReadOnly,
        _ => Unknown(program.to_string()),
    }
}

fn docker(program: &str, args: &[&str], depth: usize) -> Verdict {
    let pos = skip_options(
        args,
        &["-H", "--host", "--context", "-c", "-f", "--file", "-p"],
    );
    let (verb, sub) = match pos.as_slice() {
        [
            "compose" | "container" | "image" | "volume" | "network" | "service" | "stack"
            | "swarm" | "node" | "system",
            sub,
            ..,
        ] => (pos[0], *sub),
        [v, ..] => (*v, ""),
        [] => ("", ""),
    };
    if verb == "exec" {
        let rest = skip_options(
            args,
            &[
                "-u",
                "--user",
                "-e",
                "--env",
                "-w",
                "--workdir",
                "--env-file",
            ],
        );
        return nested(
            &rest.get(2..).unwrap_or(&[]).join(" "),
            &format!("{program} exec"),
            depth,
        );
    }
    let destructive = |v: &str| {
        matches!(
            v,
            "rm" | "rmi"
                | "kill"
                | "stop"
                | "restart"
                | "prune"
                | "pause"
                | "down"
                | "scale"
                | "update"
                | "rollback"
                | "leave"
                | "demote"
        )
    };
    if destructive(verb) {
        Destructive(format!("`{program} {verb}`"))
    } else if destructive(sub) {
        Destructive(format!("`{program} {verb} {sub}`"))
    } else if matches!(
        verb,
        "ps" | "logs"
            | "inspect"
            | "images"
            | "stats"
            | "top"
            | "version"
            | "info"
            | "pull"
            | "history"
            | "port"
            | "events"
            | "diff"
            | "search"
            | "login"
            | "cp"
    ) || matches!(sub, "ps" | "logs" | "config" | "ls" | "inspect")
    {
        ReadOnly
    } else {
        Unknown(program.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::looks_destructive as d;
    use super::looks_destructive_in as d_in;

    #[test]
    fn flags_the_usual_suspects() {
        for code in [
            "rm -rf /var/lib/x",
            "sudo rm -r -f /x",
            "kubectl delete pod x",
            "oc adm drain node1",
            "terraform destroy -auto-approve",
            "aws ec2 terminate-instances --instance-ids i-1",
            "aws rds failover-db-cluster --db-cluster-identifier c",
            "sudo systemctl restart freeswitch",
            "DROP TABLE calls;",
            "delete from cdr where 1",
            "redis-cli -h x FLUSHALL",
            "ssh fs1 'sudo systemctl stop freeswitch'",
            "fs_cli -x \"fsctl shutdown\"",
            "curl -X POST https://hapi.internal.example/v1/swap",
            "git push --force origin main",
            "for n in a b; do\n  kubectl drain $n --ignore-daemonsets\ndone",
            "knife ssh 'role:db' 'sudo rm -rf /var/lib/pg/data'",
            "ls old/ | xargs -I {} rm -fr {}",
        ] {
            assert!(d(code).is_some(), "{code}");
        }
    }

    #[test]
    fn leaves_reads_alone() {
        for code in [
            "kubectl get pods",
            "aws ec2 describe-instances",
            "systemctl status freeswitch",
            "rm /tmp/one-file",
            "# rm -rf / in a comment",
            "kubectl delete pod x --dry-run=client",
            "curl -s https://x/health",
            "SELECT * FROM deleted_calls",
            "fs_cli -x \"sofia status\"",
            "echo \"rm -rf /\"",
            "kubectl get events | grep delete",
        ] {
            assert_eq!(d(code), None, "{code}");
        }
    }

    #[test]
    fn comments_and_titles_make_unknown_programs_destructive_not_reads() {
        assert_eq!(
            d_in("./dc.sh b", Some("fail over to B"), None).as_deref(),
            Some("`dc.sh` (its comment says `failover`)")
        );
        assert!(d_in("# promote the replica\nrmht promote-now", None, None).is_some());
        assert!(d("wget -qO- 'http://lb/dc?action=failover&to=2'").is_some());
        assert!(d_in("./bin/dcctl --to 2", None, Some("Data-centre failover")).is_some());
        assert_eq!(
            d_in("kubectl get pods", Some("restart"), Some("Restart")),
            None
        );
    }
}
