//! What a line of a code block looks like: a command people type, program output, prose or SQL.

/// Commands people type at a shell, sorted (binary search): the first word of a line that makes
/// an unlabelled block a shell script, and of a `# ` line that makes it a root prompt.
pub(super) const KNOWN: &[&str] = &[
    ".",
    "ab",
    "alias",
    "ansible",
    "ansible-playbook",
    "apachectl",
    "apt",
    "apt-get",
    "argocd",
    "awk",
    "aws",
    "az",
    "base64",
    "bash",
    "be",
    "bq",
    "brew",
    "bundle",
    "cargo",
    "cat",
    "cd",
    "certbot",
    "chef-client",
    "chmod",
    "chown",
    "consul",
    "cp",
    "cqlsh",
    "crictl",
    "crontab",
    "curl",
    "cut",
    "date",
    "dd",
    "df",
    "dig",
    "docker",
    "docker-compose",
    "doctl",
    "dpkg",
    "du",
    "echo",
    "eksctl",
    "env",
    "etcdctl",
    "eval",
    "export",
    "find",
    "flux",
    "fly",
    "flyctl",
    "gcloud",
    "git",
    "gitlab-ctl",
    "gitlab-rails",
    "gitlab-rake",
    "go",
    "gpg",
    "grep",
    "gsutil",
    "gunzip",
    "gzip",
    "head",
    "helm",
    "heroku",
    "hostname",
    "htop",
    "http",
    "iostat",
    "ip",
    "iptables",
    "istioctl",
    "journalctl",
    "jq",
    "kill",
    "kind",
    "knife",
    "kubectl",
    "kubectx",
    "kubens",
    "less",
    "ln",
    "ls",
    "lsblk",
    "lsof",
    "make",
    "minikube",
    "mkdir",
    "mkfs",
    "mongo",
    "mongosh",
    "mount",
    "mv",
    "mysql",
    "mysqladmin",
    "mysqldump",
    "nc",
    "netstat",
    "nginx",
    "nohup",
    "nomad",
    "npm",
    "npx",
    "nslookup",
    "oc",
    "openssl",
    "packer",
    "pg_dump",
    "pg_restore",
    "pgrep",
    "ping",
    "pip",
    "pip3",
    "pkill",
    "podman",
    "printf",
    "ps",
    "psql",
    "pulumi",
    "pwd",
    "python",
    "python3",
    "rails",
    "rake",
    "redis-cli",
    "rm",
    "rmdir",
    "rsync",
    "ruby",
    "s3cmd",
    "salt",
    "scp",
    "screen",
    "sed",
    "service",
    "sh",
    "sleep",
    "sops",
    "sort",
    "source",
    "ss",
    "ssh",
    "stern",
    "su",
    "sudo",
    "systemctl",
    "tail",
    "tar",
    "tcpdump",
    "tee",
    "terraform",
    "terragrunt",
    "tf",
    "timeout",
    "tmux",
    "top",
    "touch",
    "traceroute",
    "umount",
    "uname",
    "unset",
    "unzip",
    "uptime",
    "vault",
    "velero",
    "vi",
    "vim",
    "watch",
    "wc",
    "wget",
    "whoami",
    "xargs",
    "yarn",
    "yq",
    "yum",
    "zcat",
];

/// Whether `word` is a command people type (`kubectl`, `sudo`, `cd`...).
pub fn is_known(word: &str) -> bool {
    KNOWN.binary_search(&word).is_ok()
}

/// Words that make a line a sentence rather than a command.
const PROSE: &[&str] = &[
    "a", "an", "and", "are", "first", "if", "into", "is", "it", "must", "not", "of", "on", "or",
    "should", "that", "the", "then", "this", "to", "we", "when", "will", "with", "you", "your",
];

/// A sentence, not a command: two or more of its words are English glue words (`the`, `to`...),
/// or one is and it has no shell punctuation.
pub fn is_prose(text: &str) -> bool {
    let glue = text
        .split_whitespace()
        .filter(|w| PROSE.contains(&w.to_ascii_lowercase().as_str()))
        .count();
    let punctuation = text.contains(['-', '/', '=', '$', '|', '"', '\'', '<', '>']);
    glue >= 2 || glue >= 1 && !punctuation
}

/// SQL keywords a statement starts with.
const SQL: &[&str] = &[
    "alter", "analyze", "begin", "commit", "create", "delete", "describe", "drop", "explain",
    "grant", "insert", "kill", "pause", "reload", "reset", "resume", "revoke", "rollback",
    "select", "set", "show", "start", "stop", "truncate", "update", "use", "vacuum", "with",
];

/// Whether `text` starts with an SQL keyword (any case).
pub fn starts_sql(text: &str) -> bool {
    let word = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    SQL.contains(&word.to_ascii_lowercase().as_str())
}

/// A line that no one types at a shell but programs print: `HTTP/1.1 200 OK`, `total 12`,
/// a table header (`NAME  READY  STATUS`), JSON or YAML, `curl -v`'s `> GET /` and `< HTTP/2 200`.
pub fn is_output(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    let first = t.split_whitespace().next().unwrap_or("");
    if first.starts_with("HTTP/") {
        return true;
    }
    // `curl -v`: `> GET / HTTP/1.1`, `> Host: x`, `< HTTP/2 200`, `< content-type: x`, `* Trying`.
    if let Some(rest) = t
        .strip_prefix("> ")
        .or_else(|| t.strip_prefix("< "))
        .or_else(|| t.strip_prefix("* "))
    {
        let word = rest.split_whitespace().next().unwrap_or("");
        let method = matches!(
            word,
            "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "PATCH" | "OPTIONS"
        );
        return method || word.starts_with("HTTP/") || is_header_name(word) || t.starts_with("* ");
    }
    if matches!(t, "<" | ">") {
        return true;
    }
    if first == "total" && t[5..].trim().bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    // A `case` pattern (`1)`, `*)`, `start|stop)`) is shell.
    if first.ends_with(')') && !first.contains('(') {
        return false;
    }
    // A shell line never starts with a digit, a table rule or a bullet.
    if t.starts_with(|c: char| c.is_ascii_digit() || "|+●│└├─═╭╰*".contains(c)) {
        return true;
    }
    // YAML (`key: value`, `- item`) and JSON (`"key": value`).
    if t.starts_with("- ") || t.starts_with('"') && t.contains("\":") {
        return true;
    }
    if let Some(key) = first.strip_suffix(':')
        && !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    {
        return true;
    }
    // A table header: two or more upper-case words set apart by runs of spaces.
    let upper = |w: &str| {
        w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && !w.contains('=')
            && !w.starts_with('$')
    };
    upper(first) && t.contains("  ") && t.split("  ").filter(|c| !c.trim().is_empty()).count() >= 2
}

/// `Content-Type:`, `x-request-id:`: an HTTP header's name and colon.
fn is_header_name(word: &str) -> bool {
    word.strip_suffix(':')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Whether a statement line reads as shell: a known command, a path, an assignment, a shell
/// keyword or syntax (`$VAR`, `|`, `&&`, `$(…)`).
pub fn is_shell_line(line: &str) -> bool {
    let t = line.trim();
    let first = t.split_whitespace().next().unwrap_or("");
    if is_prose(t) {
        return false;
    }
    let keyword = matches!(
        first,
        "if" | "then"
            | "else"
            | "elif"
            | "fi"
            | "for"
            | "while"
            | "until"
            | "do"
            | "done"
            | "case"
            | "esac"
            | "function"
            | "{"
            | "}"
            | "[["
            | "["
            | "(("
    );
    let assignment = first.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    is_known(first)
        || keyword
        || assignment
        || first.starts_with("./")
        || first.starts_with('/')
        || first.starts_with("~/")
        || t.contains("$(")
        || t.contains("${")
        || t.contains(" | ")
        || t.contains("&&")
        || first.starts_with('$') && first.len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(KNOWN.windows(2).all(|w| w[0] < w[1]));
        assert!(is_known("kubectl") && is_known("gitlab-ctl") && !is_known("Filesystem"));
    }

    #[test]
    fn output_lines() {
        for line in [
            "HTTP/1.1 200 OK",
            "total 12",
            "Filesystem      Size  Used Avail Use% Mounted on",
            "NAME    READY   STATUS",
            "  \"status\": \"ok\",",
            "status: ok",
            "- name: web",
            "> GET / HTTP/1.1",
            "> Host: example.com",
            "< HTTP/2 200",
            "< content-type: text/html",
            "* Connected to x (1.2.3.4) port 443",
            "10.0.0.1  web-1",
            "+------+-----+",
            "| id | name |",
            "● nginx.service - A high performance web server",
        ] {
            assert!(is_output(line), "{line}");
        }
    }

    #[test]
    fn shell_lines_are_not_output() {
        for line in [
            "ls -l",
            "kubectl get pods",
            "> /var/log/app.log",
            "echo hi > out",
            "FOO=bar make",
            "cd /srv && ls",
            "Get-Service",
            "exit",
            "{",
            "}",
            "[ -f x ] && echo y",
            "  1) echo one ;;",
            "  *) usage ;;",
            "start|stop)",
        ] {
            assert!(!is_output(line), "{line}");
        }
    }

    #[test]
    fn shell_lines() {
        for line in [
            "kubectl get pods",
            "./deploy.sh",
            "FOO=1",
            "for i in 1 2; do",
            "$EDITOR x",
            "mytool --x | grep y",
            "be knife ssh x",
        ] {
            assert!(is_shell_line(line), "{line}");
        }
        for line in [
            "Wait until the pods are ready",
            "set the value to the one from the dashboard",
            "example.com",
            "Fri Oct 2",
        ] {
            assert!(!is_shell_line(line), "{line}");
        }
    }

    #[test]
    fn sql() {
        assert!(starts_sql("SHOW POOLS;") && starts_sql("select 1") && !starts_sql("foo"));
    }
}
