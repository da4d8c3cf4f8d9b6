//! Whether a statement needs the operator's keyboard: a login shell, a console, an editor, a
//! pager, a follow. Read from each simple command's words, through wrappers such as `sudo`.

/// One simple command: its words (quotes removed) and whether its stdin is fed by the statement
/// (a pipe, `<`, a heredoc or here-string), so that `echo q | psql` is not a console.
struct Simple<'a> {
    words: Vec<std::borrow::Cow<'a, str>>,
    fed: bool,
}

/// True when some simple command of `code` waits for a keyboard.
pub fn is_interactive(code: &str) -> bool {
    may_need_keyboard(code)
        && simple_commands(code).iter().any(|s| {
            let words: Vec<&str> = s.words.iter().map(AsRef::as_ref).collect();
            needs_keyboard(&words, s.fed)
        })
}

/// False when no word of `code` names a program that [`needs_keyboard`] can answer true for
/// (nor a wrapper that leads to one): most commands, ruled out by one pass over the bytes instead
/// of a split into simple commands. A backslash inside a word (`s\sh`) could hide a name, so it
/// sends the code to the full reading.
fn may_need_keyboard(code: &str) -> bool {
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !word_byte(b[i]) {
            if b[i] == b'\\' && b.get(i + 1).is_some_and(|&n| n != b'\n') {
                return true;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word_byte(b[i]) {
            i += 1;
        }
        if keyboard_word(&code[start..i]) {
            return true;
        }
    }
    false
}

/// The programs and wrappers [`needs_keyboard`] and [`program_needs_keyboard`] look at.
fn keyboard_word(word: &str) -> bool {
    matches!(
        word,
        "sudo"
            | "doas"
            | "bundle"
            | "ssh"
            | "mosh"
            | "vi"
            | "vim"
            | "nvim"
            | "nano"
            | "pico"
            | "top"
            | "htop"
            | "btop"
            | "atop"
            | "watch"
            | "more"
            | "less"
            | "emacs"
            | "su"
            | "read"
            | "tail"
            | "journalctl"
            | "psql"
            | "mysql"
            | "mariadb"
            | "redis-cli"
            | "valkey-cli"
            | "mongo"
            | "mongosh"
            | "sqlite3"
            | "python"
            | "python3"
            | "python2"
            | "ipython"
            | "irb"
            | "pry"
            | "node"
            | "bash"
            | "sh"
            | "zsh"
            | "rails"
            | "gitlab-rails"
            | "gitlab-psql"
            | "gitlab-redis-cli"
            | "kubectl"
            | "oc"
            | "docker"
            | "podman"
            | "nerdctl"
            | "gpg"
            | "gpg2"
            | "gcloud"
    )
}

/// Splits at `|`, `||`, `&&`, `;`, `&`, newlines and parentheses; drops comments and redirect
/// targets. Rough on purpose: it reads words, not grammar, and is only asked about commands.
fn simple_commands(code: &str) -> Vec<Simple<'_>> {
    let b = code.as_bytes();
    let mut out = vec![Simple {
        words: Vec::new(),
        fed: false,
    }];
    let mut i = 0;
    let mut skip_next_word = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'#' => i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n),
            b'|' | b'&' | b';' | b'\n' | b'(' | b')' | b'{' | b'}' | b'`' => {
                let piped = c == b'|' && b.get(i + 1) != Some(&b'|');
                let doubled = b.get(i + 1) == Some(&c) && matches!(c, b'|' | b'&' | b';');
                i += 1 + usize::from(doubled);
                out.push(Simple {
                    words: Vec::new(),
                    fed: piped,
                });
            }
            b'<' | b'>' => {
                let input = c == b'<';
                while i < b.len() && matches!(b[i], b'<' | b'>' | b'&') {
                    i += 1;
                }
                if input && let Some(s) = out.last_mut() {
                    s.fed = true;
                }
                skip_next_word = true;
            }
            _ => {
                let (word, end) = read_word(code, i);
                i = end;
                // `2>&1`: the fd number before a redirect is not a word.
                if b.get(i).is_some_and(|&n| matches!(n, b'<' | b'>'))
                    && word.bytes().all(|d| d.is_ascii_digit())
                {
                    continue;
                }
                if std::mem::take(&mut skip_next_word) {
                    continue;
                }
                if let Some(s) = out.last_mut() {
                    s.words.push(word);
                }
            }
        }
    }
    out.retain(|s| !s.words.is_empty());
    out
}

/// The word starting at `i`, quotes removed, and where it ends. Borrowed unless it has quotes or
/// escapes: the copy starts at the first of them.
fn read_word(code: &str, mut i: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let b = code.as_bytes();
    let start = i;
    let mut word: Option<String> = None;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => {
                quote = None;
                i += 1;
                continue;
            }
            Some(_) => {}
            None if matches!(
                c,
                b' ' | b'\t' | b'\n' | b'|' | b'&' | b';' | b'<' | b'>' | b'(' | b')' | b'`'
            ) =>
            {
                break;
            }
            None if c == b'\'' || c == b'"' => {
                word.get_or_insert_with(|| code[start..i].to_owned());
                quote = Some(c);
                i += 1;
                continue;
            }
            None if c == b'\\' => {
                let w = word.get_or_insert_with(|| code[start..i].to_owned());
                i += 1;
                if let Some(ch) = code[i..].chars().next() {
                    w.push(ch);
                    i += ch.len_utf8();
                }
                continue;
            }
            None => {}
        }
        let ch = code[i..].chars().next().unwrap_or(' ');
        if let Some(w) = word.as_mut() {
            w.push(ch);
        }
        i += ch.len_utf8();
    }
    match word {
        Some(w) => (std::borrow::Cow::Owned(w), i),
        None => (std::borrow::Cow::Borrowed(&code[start..i]), i),
    }
}

/// Options that take a value, per wrapper, so the value is not read as the command.
fn wrapper_arg_options(wrapper: &str) -> &'static [&'static str] {
    match wrapper {
        "sudo" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
        "env" => &["-u", "-C", "-S"],
        "nice" => &["-n"],
        _ => &[],
    }
}

fn needs_keyboard(mut words: &[&str], fed: bool) -> bool {
    loop {
        // `FOO=1 cmd`: assignments before the command.
        while let Some((first, rest)) = words.split_first()
            && is_assignment(first)
        {
            words = rest;
        }
        let Some((&first, rest)) = words.split_first() else {
            return false;
        };
        let program = first.rsplit('/').next().unwrap_or(first);
        match program {
            "sudo" | "env" | "time" | "nohup" | "nice" | "exec" | "command" | "doas" => {
                let takes = wrapper_arg_options(program);
                let mut k = 0;
                let mut login = false;
                while k < rest.len() && (rest[k].starts_with('-') || is_assignment(rest[k])) {
                    if rest[k] == "--" {
                        k += 1;
                        break;
                    }
                    // `sudo -i`, `sudo -s`, `sudo -iu postgres`: a root or user shell.
                    if program == "sudo"
                        && !rest[k].starts_with("--")
                        && (rest[k].contains('i') || rest[k].contains('s'))
                    {
                        login = true;
                    }
                    // `-u root`, and `-iu root` whose last letter takes the value.
                    let last = rest[k].get(rest[k].len() - 1..).unwrap_or("");
                    if takes.contains(&rest[k])
                        || (!rest[k].starts_with("--")
                            && rest[k].len() > 2
                            && takes.iter().any(|t| t[1..] == *last))
                    {
                        k += 1;
                    }
                    k += 1;
                }
                if k >= rest.len() {
                    return login;
                }
                words = &rest[k..];
            }
            "timeout" => {
                // `timeout [opts] DURATION cmd`
                let k = rest
                    .iter()
                    .position(|w| !w.starts_with('-'))
                    .unwrap_or(rest.len());
                words = rest.get(k + 1..).unwrap_or(&[]);
            }
            _ => return program_needs_keyboard(program, rest, fed),
        }
    }
}

/// `NAME=value`: a word that assigns.
pub fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit()
    })
}

/// Arguments that are not options, skipping the values of `with_value` options.
fn positionals<'w>(args: &[&'w str], with_value: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if a == "--" {
            out.extend_from_slice(&args[k + 1..]);
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if with_value.contains(&a) {
                k += 1;
            }
        } else {
            out.push(a);
        }
        k += 1;
    }
    out
}

fn has_any(args: &[&str], flags: &[&str]) -> bool {
    args.iter().any(|a| {
        flags
            .iter()
            .any(|f| a == f || (f.starts_with("--") && a.starts_with(&format!("{f}="))))
    })
}

/// `-it`, `-ti`, `-i -t`, `--stdin --tty`, `--interactive --tty`.
fn stdin_and_tty(args: &[&str]) -> bool {
    let short = |c: char| {
        args.iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c))
    };
    let stdin = short('i') || has_any(args, &["--stdin", "--interactive"]);
    let tty = short('t') || has_any(args, &["--tty"]);
    stdin && tty
}

/// A program added here must be added to [`keyboard_word`] too (a test checks the two agree).
fn program_needs_keyboard(program: &str, args: &[&str], fed: bool) -> bool {
    match program {
        "ssh" => {
            const WITH_VALUE: &[&str] = &[
                "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o",
                "-p", "-Q", "-R", "-S", "-W", "-w", "-B",
            ];
            !has_any(args, &["-N", "-f", "-V", "-G"])
                && positionals(args, WITH_VALUE).len() <= 1
                && !fed
        }
        // A pager reads its keys from the terminal even when its text comes from a pipe.
        "mosh" | "vi" | "vim" | "nvim" | "nano" | "pico" | "top" | "htop" | "btop" | "atop"
        | "watch" | "more" | "less" => true,
        "emacs" => !has_any(args, &["--batch", "--script"]),
        "su" => !has_any(args, &["-c", "--command"]),
        "read" => !fed,
        "tail" => args.iter().any(|a| {
            *a == "--follow"
                || a.starts_with("--follow=")
                || (a.starts_with('-')
                    && !a.starts_with("--")
                    && (a.contains('f') || a.contains('F')))
        }),
        "journalctl" => has_any(args, &["-f", "--follow"]),
        "psql" => {
            !fed && !has_any(
                args,
                &[
                    "-c",
                    "--command",
                    "-f",
                    "--file",
                    "-l",
                    "--list",
                    "-V",
                    "--version",
                    "--help",
                ],
            )
        }
        "mysql" | "mariadb" => {
            !fed && !has_any(args, &["-e", "--execute", "-V", "--version", "--help"])
        }
        "redis-cli" | "valkey-cli" => {
            const WITH_VALUE: &[&str] = &[
                "-h", "-p", "-a", "-n", "-u", "-s", "-r", "-i", "--user", "--pass", "--cacert",
                "--cert", "--key", "--sni",
            ];
            !fed && !has_any(
                args,
                &["--stat", "--bigkeys", "--scan", "--latency", "--version"],
            ) && positionals(args, WITH_VALUE).is_empty()
        }
        "mongo" | "mongosh" => {
            !fed && !has_any(args, &["--eval", "--version", "--help", "-f", "--file"])
                && !positionals(
                    args,
                    &["--host", "--port", "-u", "-p", "--username", "--password"],
                )
                .iter()
                .any(|p| p.ends_with(".js"))
        }
        "sqlite3" => !fed && positionals(args, &["-cmd", "-separator"]).len() <= 1,
        "python" | "python3" | "python2" | "ipython" | "irb" | "pry" | "node" | "bash" | "sh"
        | "zsh" => {
            let script = has_any(
                args,
                &[
                    "-c",
                    "-m",
                    "-e",
                    "--eval",
                    "-p",
                    "--print",
                    "-r",
                    "--version",
                    "-V",
                ],
            );
            has_any(args, &["-i"]) || (!fed && !script && positionals(args, &[]).is_empty())
        }
        "rails" => matches!(args.first(), Some(&("console" | "c" | "dbconsole" | "db"))),
        "gitlab-rails" => matches!(args.first(), Some(&("console" | "c" | "dbconsole"))),
        "gitlab-psql" | "gitlab-redis-cli" => !fed && !has_any(args, &["-c", "-f"]),
        "bundle" if args.first() == Some(&"exec") => needs_keyboard(&args[1..], fed),
        "kubectl" | "oc" | "docker" | "podman" | "nerdctl" => {
            let args = past_global_options(args);
            matches!(args.first(), Some(&("exec" | "run" | "attach")))
                && (stdin_and_tty(args) || args.first() == Some(&"attach"))
        }
        // gpg's own editors answer at a `gpg>` prompt.
        "gpg" | "gpg2" => has_any(args, &["--edit-key", "--card-edit", "--edit-card"]),
        "gcloud" => {
            args.windows(2).any(|w| w == ["compute", "ssh"])
                && !has_any(args, &["--command"])
                && !args.contains(&"--")
        }
        _ => false,
    }
}

/// A container CLI's words past its global options, each taken to have a value unless given
/// with `=`: `kubectl --context prod -n voice exec -it pod -- sh` gives `exec -it pod -- sh`.
pub fn past_global_options<'a, 'w>(args: &'a [&'w str]) -> &'a [&'w str] {
    let mut i = 0;
    while args.get(i).is_some_and(|a| a.starts_with('-')) {
        i += if args[i].contains('=') { 1 } else { 2 };
    }
    args.get(i..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reading without the prefilter.
    fn full(code: &str) -> bool {
        simple_commands(code).iter().any(|s| {
            let words: Vec<&str> = s.words.iter().map(AsRef::as_ref).collect();
            needs_keyboard(&words, s.fed)
        })
    }

    const ARGS: &[&str] = &[
        "",
        " -it pod -- sh",
        " exec -it pod bash",
        " -i",
        " -s",
        " console",
        " -f /var/log/x",
        " compute ssh host",
        " --edit-key ABC",
        " exec rails console",
        " host",
    ];

    #[test]
    fn a_program_the_prefilter_passes_over_never_needs_a_keyboard() {
        let programs = crate::markdown::known_commands::KNOWN.iter().chain(&[
            "python3.11",
            "ssh-add",
            "/usr/bin/ssh",
            "sudo -u pg psql",
        ]);
        for program in programs {
            for args in ARGS {
                let code = format!("{program}{args}");
                assert_eq!(is_interactive(&code), full(&code), "{code:?}");
            }
        }
    }

    fn word() -> impl Strategy<Value = String> {
        let known = crate::markdown::known_commands::KNOWN;
        prop_oneof![
            prop::sample::select(known).prop_map(str::to_string),
            prop::sample::select(ARGS).prop_map(str::to_string),
            prop::sample::select(
                &[
                    "|",
                    "&&",
                    ";",
                    "\n",
                    "'",
                    "\"",
                    "\\\n",
                    "s\\sh",
                    "FOO=1",
                    "/usr/bin/",
                    "<",
                    "<<<",
                    "(",
                    "`",
                    "#",
                    "-u",
                    "root",
                    "--",
                    "timeout 5",
                ][..]
            )
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_prefilter_never_hides_a_keyboard(words in prop::collection::vec(word(), 1..8)) {
            let code = words.join(" ");
            prop_assert_eq!(is_interactive(&code), full(&code), "code: {:?}", code);
        }
    }
}
