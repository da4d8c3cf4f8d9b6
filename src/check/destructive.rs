//! Recognises commands that look destructive, so `check` can ask for `danger` or `confirm` on them.

use std::borrow::Cow;

/// What makes `code` look destructive, as a short quotable phrase, or `None`.
pub fn looks_destructive(code: &str) -> Option<String> {
    let upper_sql = sql_reason(code);
    if upper_sql.is_some() {
        return upper_sql;
    }
    let lines = logical_lines(code);
    // Words are slices of the lines, in one buffer reused for every simple command.
    let mut words: Vec<&str> = Vec::new();
    for line in &lines {
        for simple in line.split(['|', ';', '&']) {
            words.clear();
            words.extend(
                simple
                    .split_whitespace()
                    .map(|w| w.trim_matches(['"', '\'', '(', ')', '`', '$']))
                    .filter(|w| !w.is_empty()),
            );
            if let Some(reason) = words_reason(&words) {
                return Some(reason);
            }
        }
    }
    None
}

/// Lines with backslash continuations joined and comments dropped; a line that continues
/// nothing is borrowed as it is.
fn logical_lines(code: &str) -> Vec<Cow<'_, str>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in code.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
        } else if cur.is_empty() {
            out.push(Cow::Borrowed(line));
        } else {
            cur.push_str(line);
            out.push(Cow::Owned(std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        out.push(Cow::Owned(cur));
    }
    out
}

/// kubectl/oc verbs that change or remove cluster objects.
const KUBE_VERBS: &[&str] = &[
    "delete", "drain", "cordon", "replace", "patch", "scale", "apply", "edit",
];

fn words_reason(words: &[&str]) -> Option<String> {
    if words
        .iter()
        .any(|w| w.starts_with("--dry-run") || *w == "--dryrun")
    {
        return None;
    }
    // Skip what only wraps the real program: sudo, env assignments, timeout 30, xargs.
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if matches!(
            w,
            "sudo" | "nohup" | "exec" | "xargs" | "env" | "time" | "command" | "doas"
        ) || (w.contains('=') && !w.starts_with('-'))
        {
            i += 1;
        } else if w == "timeout" {
            i += 2;
        } else if w.starts_with('-') && i > 0 && matches!(words[i - 1], "sudo" | "xargs") {
            i += 1;
        } else {
            break;
        }
    }
    let rest = words.get(i..)?;
    let program = rest.first()?.rsplit('/').next()?;
    let args = &rest[1..];
    let has = |s: &str| args.contains(&s);
    let first_sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .copied()
        .unwrap_or("");
    let reason = match program {
        "rm" if args.iter().any(|a| {
            (a.starts_with('-') && !a.starts_with("--") && (a.contains('r') || a.contains('R')))
                || *a == "--recursive"
        }) =>
        {
            "`rm -r`".to_string()
        }
        "kubectl" | "oc" if args.iter().any(|a| KUBE_VERBS.contains(a)) => {
            let verb = args
                .iter()
                .find(|a| KUBE_VERBS.contains(a))
                .copied()
                .unwrap_or("");
            format!("`{program} {verb}`")
        }
        "kubectl" | "oc" if has("rollout") && (has("restart") || has("undo")) => {
            format!("`{program} rollout`")
        }
        "terraform" | "terragrunt" | "tofu"
            if matches!(first_sub, "destroy" | "apply" | "import" | "taint")
                || has("state") && (has("rm") || has("mv")) =>
        {
            format!("`{program} {first_sub}`")
        }
        "aws" => {
            let op = args.iter().find(|a| {
                [
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
                ]
                .iter()
                .any(|p| a.starts_with(p))
            })?;
            format!("`aws ... {op}`")
        }
        "systemctl"
            if matches!(
                first_sub,
                "stop"
                    | "restart"
                    | "kill"
                    | "disable"
                    | "mask"
                    | "reboot"
                    | "poweroff"
                    | "isolate"
                    | "reload"
            ) =>
        {
            format!("`systemctl {first_sub}`")
        }
        "service"
            if args
                .iter()
                .any(|a| matches!(*a, "stop" | "restart" | "reload")) =>
        {
            "`service ... stop|restart`".to_string()
        }
        "reboot" | "shutdown" | "halt" | "poweroff" | "kill" | "pkill" | "killall" | "wipefs"
        | "fdisk" | "parted" => format!("`{program}`"),
        p if p.starts_with("mkfs") => format!("`{p}`"),
        "dd" if args.iter().any(|a| a.starts_with("of=")) => "`dd of=`".to_string(),
        "git"
            if (has("push") && args.iter().any(|a| *a == "-f" || a.starts_with("--force")))
                || (has("reset") && has("--hard"))
                || (has("clean") && args.iter().any(|a| a.starts_with("-") && a.contains('f'))) =>
        {
            "`git` history or work-tree rewrite".to_string()
        }
        "helm"
            if matches!(
                first_sub,
                "uninstall" | "delete" | "rollback" | "upgrade" | "install"
            ) =>
        {
            format!("`helm {first_sub}`")
        }
        "etcdctl"
            if matches!(first_sub, "del" | "member" | "defrag" | "snapshot")
                && (first_sub != "member" || has("remove"))
                && (first_sub != "snapshot" || has("restore")) =>
        {
            format!("`etcdctl {first_sub}`")
        }
        "docker" | "podman"
            if matches!(
                first_sub,
                "rm" | "rmi" | "kill" | "stop" | "restart" | "prune" | "system"
            ) =>
        {
            format!("`{program} {first_sub}`")
        }
        "salt" | "salt-call" | "salt-ssh"
            if args.iter().any(|a| {
                a.starts_with("state.")
                    || a.starts_with("service.")
                    || *a == "cmd.run"
                    || a.starts_with("system.")
            }) =>
        {
            "`salt` state or service change".to_string()
        }
        "iptables" | "ip6tables" | "nft"
            if args.iter().any(|a| {
                matches!(
                    *a,
                    "-F" | "-X" | "-D" | "-A" | "-I" | "-P" | "flush" | "delete" | "add"
                )
            }) =>
        {
            format!("`{program}` rule change")
        }
        "redis-cli"
            if args.iter().any(|a| {
                a.eq_ignore_ascii_case("flushall")
                    || a.eq_ignore_ascii_case("flushdb")
                    || a.eq_ignore_ascii_case("del")
                    || a.eq_ignore_ascii_case("shutdown")
            }) =>
        {
            "`redis-cli` flush, delete or shutdown".to_string()
        }
        "curl"
            if args.windows(2).any(|w| {
                matches!(w[0], "-X" | "--request")
                    && matches!(
                        w[1].to_ascii_uppercase().as_str(),
                        "POST" | "PUT" | "DELETE" | "PATCH"
                    )
            }) || args.iter().any(|a| {
                a.starts_with("-XPOST")
                    || a.starts_with("-XPUT")
                    || a.starts_with("-XDELETE")
                    || a.starts_with("-XPATCH")
                    || matches!(
                        *a,
                        "-d" | "--data"
                            | "--data-raw"
                            | "--data-binary"
                            | "--json"
                            | "-F"
                            | "--form"
                    )
            }) =>
        {
            "`curl` request that changes state".to_string()
        }
        _ => {
            // Inside quoted remote commands too: `ssh host "sudo systemctl restart x"`, `fs_cli -x "fsctl shutdown"`.
            if matches!(program, "ssh" | "fs_cli" | "bash" | "sh" | "salt") {
                let inner: Vec<&str> = args
                    .iter()
                    .skip_while(|a| {
                        a.starts_with('-')
                            || a.contains('@')
                            || !a
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-' || c == '.')
                    })
                    .copied()
                    .collect();
                if args
                    .iter()
                    .any(|a| matches!(*a, "shutdown" | "reboot" | "restart" | "stop" | "kill"))
                {
                    return Some(format!("`{program}` running a stop, restart or shutdown"));
                }
                if !inner.is_empty() && inner.len() < args.len() {
                    return words_reason(&inner);
                }
            }
            return None;
        }
    };
    Some(reason)
}

/// SQL that drops, truncates, deletes or rewrites rows.
fn sql_reason(code: &str) -> Option<String> {
    // Pairs of neighbouring words, compared without case; no upper-cased copy of the code.
    // Words are runs of ASCII letters, digits and `_`, so splitting bytes finds the same ones
    // as splitting characters (every byte of a non-ASCII character separates), only faster.
    let mut words = code
        .as_bytes()
        .split(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .filter(|w| !w.is_empty());
    let is = |word: &[u8], keyword: &str| word.eq_ignore_ascii_case(keyword.as_bytes());
    let mut first = words.next()?;
    for second in words {
        let phrase = if is(first, "DROP")
            && [
                "TABLE", "DATABASE", "SCHEMA", "INDEX", "USER", "VIEW", "COLUMN",
            ]
            .iter()
            .any(|k| is(second, k))
        {
            "DROP"
        } else if is(first, "TRUNCATE") {
            "TRUNCATE"
        } else if is(first, "DELETE") && is(second, "FROM") {
            "DELETE FROM"
        } else {
            first = second;
            continue;
        };
        return Some(format!("`{phrase}`"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::looks_destructive as d;

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
        ] {
            assert_eq!(d(code), None, "{code}");
        }
    }
}
