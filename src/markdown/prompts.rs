//! Recognises the prompt at the start of a transcript line (`$ `, `root@db1:~# `, `mysql> `…), without taking ordinary shell for one.

/// Who a prompt belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompter {
    /// A Unix shell; `root` for a `#` prompt, `host` from a `user@host` prompt.
    Shell { root: bool, host: Option<String> },
    /// Another program's prompt: the program typed to (`mysql`, `psql`, `redis-cli`, `bmc`...).
    Program(&'static str),
}

/// A prompt found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptAt {
    /// Bytes the prompt takes from the start of the trimmed line, its trailing space included.
    pub len: usize,
    pub who: Prompter,
}

/// The prompt a (left-trimmed) line starts with, if any. The ambiguous forms are left out: `# `
/// (a comment too: see [`root_hash`]) and the bare continuations `> ` and `-> ` (see [`continuation`]).
pub fn prompt_of(line: &str) -> Option<PromptAt> {
    let shell = shell_prompt;
    let program = |len, name| {
        Some(PromptAt {
            len,
            who: Prompter::Program(name),
        })
    };
    if line == "$" || line == "$>" {
        return shell(line.len(), false);
    }
    for (p, root) in [
        ("$ ", false),
        ("$> ", false),
        ("% ", false),
        ("❯ ", false),
        ("➜ ", false),
    ] {
        if line.starts_with(p) {
            return shell(p.len(), root);
        }
    }
    let (word, rest) = split_word(line);
    // `PS C:\> ` and `PS /home/me> `: PowerShell.
    if word == "PS"
        && let Some(end) = rest.find("> ")
        && (rest.starts_with('/') || rest.get(1..3) == Some(":\\"))
        && !rest[..end].contains(' ')
    {
        return program(line.len() - rest.len() + end + 2, "powershell");
    }
    // `MariaDB [(none)]> `
    if word == "MariaDB"
        && rest.starts_with('[')
        && let Some(end) = rest.find("]> ")
    {
        return program(line.len() - rest.len() + end + 3, "mysql");
    }
    if rest.is_empty() && !line.ends_with(' ') && !known_bare(word) {
        return None;
    }
    let len = word.len() + usize::from(!rest.is_empty() || line.ends_with(' '));
    let len = len.min(line.len());
    // `[1] pry(main)> `: the `[1]` is a word of its own.
    if word.starts_with('[')
        && word.ends_with(']')
        && word.len() > 2
        && word[1..word.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && rest.starts_with("pry(")
        && let Some(end) = rest.find(")> ")
    {
        return program(line.len() - rest.len() + end + 3, "pry");
    }
    // `[user@host dir]$ `
    if let Some(inner) = word.strip_prefix('[') {
        return bracketed(line, inner).map(|(len, root, host)| PromptAt {
            len,
            who: Prompter::Shell {
                root,
                host: Some(host),
            },
        });
    }
    if let Some(p) = program_word(word, rest) {
        return program(len, p);
    }
    // `sh-4.4$ `, `bash-5.1# `: a shell's default prompt.
    if let Some(head) = word.strip_suffix('$').or_else(|| word.strip_suffix('#'))
        && let Some((shell, version)) = head.split_once('-')
        && matches!(shell, "sh" | "bash" | "zsh")
        && !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return shell_prompt(len, word.ends_with('#'));
    }
    // `user@host:~/dir$ `, `host:~# `, `root@db1:/# `
    if let Some(head) = word.strip_suffix('$').or_else(|| word.strip_suffix('#')) {
        let root = word.ends_with('#');
        if let Some((user, host)) = user_host(head) {
            return Some(PromptAt {
                len,
                who: Prompter::Shell {
                    root: root || user == Some("root"),
                    host: Some(host.to_string()),
                },
            });
        }
    }
    None
}

fn shell_prompt(len: usize, root: bool) -> Option<PromptAt> {
    Some(PromptAt {
        len,
        who: Prompter::Shell { root, host: None },
    })
}

/// A line `# text` whose text is a command line, read as a root prompt: `# gitlab-ctl restart`.
/// With `prose_too`, any text that is not plainly a sentence counts (in a root shell's transcript).
pub fn root_hash(line: &str, prose_too: bool) -> Option<&str> {
    let text = line.strip_prefix("# ")?.trim_start();
    let first = text.split_whitespace().next()?;
    let commandish = super::known_commands::is_known(first)
        || first.starts_with('/')
        || first.starts_with("./")
        || first.contains('=') && !first.starts_with('=');
    let sentence = text.ends_with(['.', ':', '?', '!']) || super::known_commands::is_prose(text);
    ((commandish || prose_too) && !sentence).then_some(text)
}

/// A bare continuation prompt: `> ` (a shell's PS2, or an abbreviated program prompt) or `-> `
/// (mysql's); its length.
pub fn continuation(line: &str) -> Option<usize> {
    ["> ", "-> "]
        .into_iter()
        .find(|p| line.starts_with(p))
        .map(str::len)
        .or_else(|| matches!(line, ">" | "->").then_some(line.len()))
}

fn split_word(line: &str) -> (&str, &str) {
    match line.find(' ') {
        Some(i) => (&line[..i], line[i + 1..].trim_start()),
        None => (line, ""),
    }
}

fn known_bare(word: &str) -> bool {
    word.ends_with('>') || word.ends_with('$') || word.ends_with('#')
}

/// A program's own prompt word, the SQL or command after it checked where the prompt alone is
/// ambiguous with shell (`x=# y` is an assignment).
fn program_word(word: &str, rest: &str) -> Option<&'static str> {
    let fixed: &[(&str, &str)] = &[
        ("mysql>", "mysql"),
        ("gpg>", "gpg"),
        ("sqlite>", "sqlite3"),
        ("cqlsh>", "cqlsh"),
        (">>>", "python"),
        ("sftp>", "sftp"),
        ("ftp>", "ftp"),
        ("mongo>", "mongo"),
        ("redis>", "redis-cli"),
    ];
    if let Some((_, p)) = fixed.iter().find(|(w, _)| *w == word) {
        return Some(p);
    }
    // `irb(main):001:0>`, `pry(main)>`.
    if word.starts_with("irb(") && word.ends_with('>') {
        return Some("irb");
    }
    if word.starts_with("pry(") && word.ends_with('>') {
        return Some("pry");
    }
    // `pgbouncer=# `, `app=> `: psql, when SQL or a `\` command follows.
    if let Some(name) = word
        .strip_suffix("=#")
        .or_else(|| word.strip_suffix("=>"))
        .or_else(|| word.strip_suffix("-#"))
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && (rest.starts_with('\\') || super::known_commands::starts_sql(rest))
    {
        return Some("psql");
    }
    // `127.0.0.1:6379> `, `redis:6379[2]> `
    if let Some(head) = word.strip_suffix('>') {
        let head = head.split('[').next().unwrap_or(head);
        if let Some((host, port)) = head.rsplit_once(':')
            && !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
        {
            return Some("redis-cli");
        }
    }
    // `/admin1-> `, `racadm-> `: a BMC's command line.
    if let Some(head) = word.strip_suffix("->")
        && !head.is_empty()
        && head
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
    {
        return Some("bmc");
    }
    None
}

/// `[user@host dir]$ `: its length, whether it is root's, and the host.
fn bracketed(line: &str, inner: &str) -> Option<(usize, bool, String)> {
    let close = line.find("]$").or_else(|| line.find("]#"))?;
    let root = line[close..].starts_with("]#");
    let user_host_part = inner.split(' ').next()?;
    let (user, host) = user_host(user_host_part)?;
    let user = user?;
    let mut len = close + 2;
    if line[len..].starts_with(' ') {
        len += 1;
    }
    Some((len, root || user == "root", host.to_string()))
}

/// `user@host:path`, `user@host` or `host:path` (a path starting `~` or `/`).
fn user_host(head: &str) -> Option<(Option<&str>, &str)> {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    let (user, rest) = match head.split_once('@') {
        Some((u, r)) if name_ok(u) => (Some(u), r),
        Some(_) => return None,
        None => (None, head),
    };
    let (host, path) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if !name_ok(host) {
        return None;
    }
    match (user, path) {
        (_, Some(p)) if p.starts_with('~') || p.starts_with('/') => Some((user, host)),
        (Some(_), None) => Some((user, host)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(line: &str) -> Option<(String, Prompter)> {
        prompt_of(line).map(|p| (line[p.len..].to_string(), p.who))
    }

    fn shell(root: bool, host: Option<&str>) -> Prompter {
        Prompter::Shell {
            root,
            host: host.map(String::from),
        }
    }

    #[test]
    fn shell_prompts() {
        assert_eq!(who("$ ls"), Some(("ls".into(), shell(false, None))));
        assert_eq!(
            who("$> be knife ssh x"),
            Some(("be knife ssh x".into(), shell(false, None)))
        );
        assert_eq!(who("% ls"), Some(("ls".into(), shell(false, None))));
        assert_eq!(who("$"), Some((String::new(), shell(false, None))));
        assert_eq!(who("❯ ocm x"), Some(("ocm x".into(), shell(false, None))));
        assert_eq!(
            who("sh-4.4$ ceph -s"),
            Some(("ceph -s".into(), shell(false, None)))
        );
        assert_eq!(who("bash-5.1# id"), Some(("id".into(), shell(true, None))));
    }

    #[test]
    fn user_host_prompts() {
        assert_eq!(
            who("me@db1:~/x$ df -h"),
            Some(("df -h".into(), shell(false, Some("db1"))))
        );
        assert_eq!(
            who("root@db1:/# systemctl stop x"),
            Some(("systemctl stop x".into(), shell(true, Some("db1"))))
        );
        assert_eq!(
            who("host:~$ uptime"),
            Some(("uptime".into(), shell(false, Some("host"))))
        );
        assert_eq!(
            who("[me@web-2 log]$ tail x"),
            Some(("tail x".into(), shell(false, Some("web-2"))))
        );
        assert_eq!(
            who("[root@web-2 ~]# id"),
            Some(("id".into(), shell(true, Some("web-2"))))
        );
    }

    #[test]
    fn program_prompts() {
        fn p(l: &str) -> Option<(Prompter, &str)> {
            prompt_of(l).map(|p| (p.who, &l[p.len..]))
        }
        assert_eq!(
            p("PS C:\\> Get-Service"),
            Some((Prompter::Program("powershell"), "Get-Service"))
        );
        assert_eq!(
            p("mysql> SHOW SLAVE STATUS\\G"),
            Some((Prompter::Program("mysql"), "SHOW SLAVE STATUS\\G"))
        );
        assert_eq!(
            p("MariaDB [(none)]> select 1;"),
            Some((Prompter::Program("mysql"), "select 1;"))
        );
        assert_eq!(
            p("pgbouncer=# SHOW POOLS;"),
            Some((Prompter::Program("psql"), "SHOW POOLS;"))
        );
        assert_eq!(p("app=> \\dt"), Some((Prompter::Program("psql"), "\\dt")));
        assert_eq!(
            p("127.0.0.1:6379> slowlog get 10"),
            Some((Prompter::Program("redis-cli"), "slowlog get 10"))
        );
        assert_eq!(
            p("irb(main):001:0> User.count"),
            Some((Prompter::Program("irb"), "User.count"))
        );
        assert_eq!(
            p("[1] pry(main)> User.count"),
            Some((Prompter::Program("pry"), "User.count"))
        );
        assert_eq!(p("gpg> trust"), Some((Prompter::Program("gpg"), "trust")));
        assert_eq!(
            p("/admin1-> show /system1"),
            Some((Prompter::Program("bmc"), "show /system1"))
        );
    }

    #[test]
    fn ordinary_shell_is_no_prompt() {
        for line in [
            "a > b",
            "x=# ",
            "x=# foo",
            "echo \"$ \"",
            "$HOME/bin/x",
            "ls -l",
            "cat> file",
            "kubectl get pods -o wide",
            "FOO=bar baz",
            "host:port",
            "[ -f x ] && echo y",
            "[[ $a == b ]]",
            "echo a->b",
            "a->b",
            "PS1='$ '",
            "f() { x; }",
            "echo x > y",
            "scp a host:/tmp/",
        ] {
            assert_eq!(prompt_of(line), None, "{line}");
        }
    }

    #[test]
    fn root_hash_needs_a_command_line() {
        assert_eq!(
            root_hash("# gitlab-ctl restart consul", false),
            Some("gitlab-ctl restart consul")
        );
        assert_eq!(
            root_hash("# /usr/sbin/nginx -t", false),
            Some("/usr/sbin/nginx -t")
        );
        assert_eq!(root_hash("# restart the service", false), None);
        assert_eq!(root_hash("# cd into the directory first", false), None);
        assert_eq!(root_hash("# Check the pods:", false), None);
        assert_eq!(root_hash("#!/bin/bash", false), None);
        assert_eq!(root_hash("# whoami", true), Some("whoami"));
        assert_eq!(root_hash("# this is the end of it", true), None);
    }

    #[test]
    fn continuations() {
        assert_eq!(continuation("> more"), Some(2));
        assert_eq!(continuation("-> more"), Some(3));
        assert_eq!(continuation(">x"), None);
    }
}
