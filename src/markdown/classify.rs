//! Classifies a code block as an SRE reading it would: a script to run, a transcript of prompts
//! and output, commands for another host or program, or text shown for reference.

use std::borrow::Cow;

use super::known_commands::{is_output, is_shell_line};
use super::prompts::{Prompter, continuation, prompt_of, root_hash};
use crate::runbook::{CommandKind, DiagnosticCode};

/// Languages whose blocks are shell scripts, run whole.
pub const SHELL_LANGS: &[&str] = &["sh", "bash", "zsh", "shell"];
/// Languages whose blocks are prompt sessions.
pub const CONSOLE_LANGS: &[&str] = &["console", "shell-session", "shellsession", "terminal"];
/// Languages shown for reference, never run nor done by hand: diagrams, data, output.
pub const REFERENCE_LANGS: &[&str] = &[
    "conf",
    "dot",
    "graphviz",
    "hcl",
    "ini",
    "json",
    "log",
    "mermaid",
    "output",
    "plaintext",
    "plantuml",
    "puml",
    "text",
    "toml",
    "txt",
    "xml",
    "yaml",
    "yml",
];
/// How a paragraph introduces sample output (its end, lowercased, colon dropped).
const OUTPUT_INTROS: &[&str] = &[
    "output",
    "should look like",
    "looks like",
    "returns",
    "you should see",
    "example output",
];

/// One command a block gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// What to run or show: the whole block's code, or a prompt's command without its prompt.
    pub code: Cow<'static, str>,
    /// 0-based line within the block where it starts; `None` for the whole block.
    pub line: Option<usize>,
    pub kind: CommandKind,
    pub runnable: bool,
    pub expected_output: Option<String>,
    pub program: Option<String>,
    pub place: Option<String>,
    pub guessed: bool,
}

impl Piece {
    fn whole(kind: CommandKind, runnable: bool) -> Self {
        Piece {
            code: Cow::Borrowed(""),
            line: None,
            kind,
            runnable,
            expected_output: None,
            program: None,
            place: None,
            guessed: false,
        }
    }
}

/// A diagnostic about a block, at a 0-based line of its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: DiagnosticCode,
    pub line: usize,
    pub message: &'static str,
}

/// What a block becomes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub pieces: Vec<Piece>,
    pub findings: Vec<Finding>,
}

pub const TRANSCRIPT_FIX: &str = "this `bash` block mixes commands with their output, so it is not run: label the block `console` and prefix commands with `$ `, or move the output into its own block";
pub const COMMENT_ONLY_FIX: &str = "this script block holds only comments, so there is nothing to run: a `# ` root prompt? label the block `console`; else remove the block or the `# `";
pub const UNLABELLED_FIX: &str = "this unlabelled block reads as shell, so it is run only once confirmed: label the block ```bash";

/// Classifies one block. `lang` is lowercased; `intro` is the paragraph just before the block.
/// A piece with an empty `code` and no `line` stands for the whole block, as written.
pub fn classify(lang: &str, code: &str, has_runner: bool, intro: Option<&str>) -> Plan {
    let mut plan = Plan::default();
    let shell = SHELL_LANGS.contains(&lang);
    let console = CONSOLE_LANGS.contains(&lang);
    if has_runner {
        plan.pieces.push(Piece::whole(CommandKind::Script, true));
        return plan;
    }
    if REFERENCE_LANGS.contains(&lang) || intro.is_some_and(introduces_output) {
        plan.pieces
            .push(Piece::whole(CommandKind::Reference, false));
        return plan;
    }
    if !(shell || console || lang.is_empty()) {
        plan.pieces.push(Piece::whole(CommandKind::Manual, false));
        return plan;
    }
    let lines: Vec<&str> = code.lines().collect();
    let strong = lines.iter().any(|l| prompt_of(l.trim_start()).is_some());
    // `# cmd` lines are root prompts only in a block with nothing else to run.
    let weak = !strong
        && lines
            .iter()
            .any(|l| root_hash(l.trim_start(), false).is_some())
        && statements(&lines).iter().all(|&i| is_output(lines[i]));
    if console || strong || weak {
        transcript(&lines, shell, console, &mut plan);
        if !plan.pieces.is_empty() || console {
            return plan;
        }
    }
    let stmts = statements(&lines);
    let Some(&first) = stmts.first() else {
        if let Some(at) = lines.iter().position(|l| !l.trim().is_empty())
            && shell
        {
            plan.findings.push(Finding {
                code: DiagnosticCode::CommentOnlyScript,
                line: at,
                message: COMMENT_ONLY_FIX,
            });
        }
        plan.pieces
            .push(Piece::whole(CommandKind::Reference, false));
        return plan;
    };
    if shell {
        if let Some(&out) = stmts.iter().find(|&&i| is_output(lines[i])) {
            plan.findings.push(Finding {
                code: DiagnosticCode::TranscriptInScript,
                line: out,
                message: TRANSCRIPT_FIX,
            });
            plan.pieces.push(Piece::whole(CommandKind::Manual, false));
            return plan;
        }
        elsewhere(&lines, &stmts, false, &mut plan);
        return plan;
    }
    // Unlabelled: shell only when every statement reads as shell.
    if stmts.iter().any(|&i| is_output(lines[i])) {
        plan.pieces
            .push(Piece::whole(CommandKind::Reference, false));
    } else if stmts.iter().all(|&i| is_shell_line(lines[i])) {
        plan.findings.push(Finding {
            code: DiagnosticCode::UnlabelledShell,
            line: first,
            message: UNLABELLED_FIX,
        });
        elsewhere(&lines, &stmts, true, &mut plan);
    } else {
        plan.pieces.push(Piece::whole(CommandKind::Manual, false));
    }
    plan
}

/// The paragraph `[start, end)` when only blank lines, quote marks and comments separate it from
/// a block starting at `block_start`.
pub fn paragraph_before(text: &str, start: usize, end: usize, block_start: usize) -> Option<&str> {
    let between = text.get(end..block_start)?;
    let mut rest = between.trim_start_matches([' ', '\t', '\n', '\r', '>']);
    while let Some(after) = rest.strip_prefix("<!--") {
        rest = after[after.find("-->")? + 3..].trim_start_matches([' ', '\t', '\n', '\r', '>']);
    }
    rest.is_empty().then(|| text.get(start..end)).flatten()
}

/// Whether a paragraph ends as an introduction to sample output: "The output should look like:".
fn introduces_output(paragraph: &str) -> bool {
    let p = paragraph
        .trim()
        .trim_end_matches(':')
        .trim_end()
        .to_lowercase();
    OUTPUT_INTROS.iter().any(|end| {
        p.strip_suffix(end)
            .is_some_and(|before| before.is_empty() || before.ends_with([' ', '(', '\n']))
    })
}

/// A script block: whole and runnable, unless a statement enters another host or shell with
/// more after it; then it is cut there, and what follows is done by hand where it belongs.
fn elsewhere(lines: &[&str], stmts: &[usize], guessed: bool, plan: &mut Plan) {
    let enters_with_more = stmts.iter().enumerate().any(|(k, &i)| {
        k + 1 < stmts.len() && matches!(enters(lines[i].trim()), Some(Move::Enter(_)))
    });
    if !enters_with_more {
        let mut piece = Piece::whole(CommandKind::Script, true);
        piece.guessed = guessed;
        plan.pieces.push(piece);
        return;
    }
    let mut places = Places::default();
    let mut local_from: Option<usize> = None;
    for (k, &i) in stmts.iter().enumerate() {
        let end = stmts.get(k + 1).copied().unwrap_or(lines.len());
        let here = places.current();
        if here.is_none() {
            local_from.get_or_insert(i);
        } else {
            flush_local(lines, &mut local_from, i, guessed, plan);
            let text = lines[i..end].join("\n");
            plan.pieces.push(Piece {
                code: Cow::Owned(text.trim_end().to_string()),
                line: Some(i),
                kind: CommandKind::Manual,
                runnable: false,
                expected_output: None,
                program: here.program.map(String::from),
                place: here.describe(),
                guessed: false,
            });
        }
        places.after(lines[i].trim());
    }
    flush_local(lines, &mut local_from, lines.len(), guessed, plan);
}

fn flush_local(
    lines: &[&str],
    from: &mut Option<usize>,
    to: usize,
    guessed: bool,
    plan: &mut Plan,
) {
    if let Some(from) = from.take() {
        let text = lines[from..to].join("\n");
        plan.pieces.push(Piece {
            code: Cow::Owned(text.trim_end().to_string() + "\n"),
            line: Some(from),
            kind: CommandKind::Script,
            runnable: true,
            expected_output: None,
            program: None,
            place: None,
            guessed,
        });
    }
}

/// Where commands go: the local shell, or a stack of hosts, users and programs entered.
#[derive(Debug, Default)]
struct Places {
    stack: Vec<Where>,
    /// The host of the first `user@host` prompt met locally: the operator's own machine.
    home: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Where {
    host: Option<String>,
    user: Option<String>,
    program: Option<&'static str>,
}

impl Where {
    fn is_none(&self) -> bool {
        self.host.is_none() && self.user.is_none() && self.program.is_none()
    }

    /// "on HOST", "as root", "on HOST as root".
    fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(h) = &self.host {
            parts.push(format!("on {h}"));
        }
        if let Some(u) = &self.user {
            parts.push(format!("as {u}"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// What a command does to where the next one goes.
#[derive(Debug, PartialEq, Eq)]
enum Move {
    Enter(Where),
    Exit,
}

impl Places {
    fn current(&self) -> Where {
        self.stack.last().cloned().unwrap_or_default()
    }

    fn after(&mut self, command: &str) {
        match enters(command) {
            Some(Move::Enter(to)) => {
                let mut next = self.current();
                if to.host.is_some() {
                    next = Where::default();
                    next.host = to.host;
                }
                if to.user.is_some() {
                    next.user = to.user;
                }
                next.program = to.program;
                self.stack.push(next);
            }
            Some(Move::Exit) => {
                self.stack.pop();
            }
            None => {}
        }
    }

    /// Where a command at this shell prompt runs: the prompt's host and `#` say more than the
    /// commands before it did.
    fn at_shell_prompt(&mut self, root: bool, host: Option<&str>) -> Where {
        // Back at a shell: any program entered before has ended.
        while self.stack.last().is_some_and(|w| w.program.is_some()) {
            self.stack.pop();
        }
        let mut w = self.current();
        if let Some(h) = host {
            if self.stack.is_empty() && self.home.is_none() {
                self.home = Some(h.to_string());
            }
            if self.home.as_deref() != Some(h) {
                w.host = Some(h.to_string());
            }
        }
        if root {
            w.user = Some("root".into());
        }
        w
    }
}

/// Whether a command enters another host, user or program, or leaves one.
fn enters(command: &str) -> Option<Move> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let (&first, rest) = words.split_first()?;
    match first {
        "exit" | "logout" | "quit" | "exit;" | "quit;" | "\\q" => return Some(Move::Exit),
        "ssh" | "mosh" => return ssh(rest),
        _ => {}
    }
    let enter = |host: Option<&str>, user: Option<&str>, program: Option<&'static str>| {
        Some(Move::Enter(Where {
            host: host.map(String::from),
            user: user.map(String::from),
            program,
        }))
    };
    let shells = ["sh", "bash", "/bin/sh", "/bin/bash", "zsh", "ash"];
    match (first, rest) {
        ("sudo", ["su" | "-i" | "-s" | "bash"] | ["su", "-"] | ["su", "-", "root"])
        | ("su", [] | ["-" | "root"] | ["-", "root"]) => enter(None, Some("root"), None),
        ("sudo", ["su", "-", user] | ["-iu", user] | ["-u", user, "-i"] | ["-i", "-u", user])
        | ("su", ["-", user]) => enter(None, Some(*user), None),
        ("gcloud", ["compute", "ssh", ..]) if !command.contains("--command") => {
            let name = rest[2..].iter().find(|w| !w.starts_with('-'))?;
            enter(name.rsplit('@').next(), None, None)
        }
        ("kubectl" | "docker" | "oc" | "podman", _)
            if let Some(args) = exec_args(rest)
                && (args.iter().any(|a| matches!(*a, "-it" | "-ti"))
                    || (args.iter().any(|a| matches!(*a, "-i" | "--stdin"))
                        && args.iter().any(|a| matches!(*a, "-t" | "--tty"))))
                && args.last().is_some_and(|l| shells.contains(l)) =>
        {
            let target = args
                .iter()
                .filter(|a| !a.starts_with('-') && !shells.contains(*a))
                .find(|a| !is_option_value(args, a))?;
            enter(Some(*target), None, None)
        }
        _ => {
            let program = program_entered(first, rest)?;
            enter(None, None, Some(program))
        }
    }
}

/// The words after `exec` when it is the subcommand, past global options (`kubectl --context
/// prod -n voice exec -it pod -- sh`).
fn exec_args<'a, 'w>(rest: &'a [&'w str]) -> Option<&'a [&'w str]> {
    match super::shell::past_global_options(rest) {
        ["exec", args @ ..] => Some(args),
        _ => None,
    }
}

/// `-n NS`: whether `word` is the value of an option before it.
fn is_option_value(args: &[&str], word: &&str) -> bool {
    let Some(pos) = args.iter().position(|a| a == word) else {
        return false;
    };
    pos > 0
        && matches!(
            args[pos - 1],
            "-n" | "--namespace" | "-c" | "--container" | "-u"
        )
}

/// `ssh [options] host` with no remote command.
fn ssh(args: &[&str]) -> Option<Move> {
    const WITH_VALUE: &[&str] = &[
        "-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-b", "-c", "-E", "-e", "-I", "-m",
        "-O", "-Q", "-S", "-W", "-w", "-B",
    ];
    let mut user = None;
    let mut k = 0;
    while k < args.len() && args[k].starts_with('-') {
        if args[k] == "-l" {
            user = args.get(k + 1).copied();
        }
        k += if WITH_VALUE.contains(&args[k]) { 2 } else { 1 };
    }
    let target = args.get(k)?;
    if args.len() > k + 1 {
        return None; // a remote command: it runs and returns
    }
    let (u, host) = match target.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (user, *target),
    };
    Some(Move::Enter(Where {
        host: Some(host.to_string()),
        user: u.filter(|u| *u == "root").map(String::from),
        program: None,
    }))
}

/// A console program started with no command to run: what is typed next goes to it.
fn program_entered(first: &str, rest: &[&str]) -> Option<&'static str> {
    let (first, rest) = if first == "sudo" {
        let mut k = 0;
        while k < rest.len() && rest[k].starts_with('-') {
            k += if matches!(rest[k], "-u" | "-g") { 2 } else { 1 };
        }
        let (f, r) = rest.get(k..)?.split_first()?;
        (*f, r)
    } else {
        (first, rest)
    };
    let has = |flag: &str| rest.iter().any(|w| w.starts_with(flag));
    match first {
        "mysql" if !has("-e") && !has("--execute") => Some("mysql"),
        "psql" if !has("-c") && !has("-f") && !has("--command") => Some("psql"),
        "redis-cli" => {
            let mut k = 0;
            while k < rest.len() && rest[k].starts_with('-') {
                k += if matches!(rest[k], "--tls" | "--no-auth-warning" | "-c") {
                    1
                } else {
                    2
                };
            }
            (k >= rest.len()).then_some("redis-cli")
        }
        "irb" => Some("irb"),
        "pry" => Some("pry"),
        "rails" | "gitlab-rails" if matches!(rest, ["c"] | ["console", ..]) => Some("irb"),
        "gpg" if has("--edit-key") => Some("gpg"),
        _ => None,
    }
}

/// The lines of a script where statements start: not blank, not comments, not continued lines,
/// heredoc bodies nor lines inside a quoted string.
fn statements(lines: &[&str]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut continued = false;
    let mut quote: Option<char> = None;
    let mut heredocs: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(delim) = heredocs.first() {
            if line.trim() == delim.as_str() {
                heredocs.remove(0);
            }
            continue;
        }
        let t = line.trim();
        let starts = !continued && quote.is_none();
        if starts && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        if starts {
            out.push(i);
        }
        quote = scan_quotes(line, quote);
        let code = t.split(" #").next().unwrap_or(t).trim_end();
        continued = quote.is_none()
            && (code.ends_with('\\')
                || code.ends_with('|')
                || code.ends_with("&&")
                || code.ends_with("||"));
        if quote.is_none() {
            heredocs.extend(super::console::heredoc_delimiters(line));
        }
    }
    out
}

/// The quote still open at the end of `line`, given the one open at its start.
fn scan_quotes(line: &str, quote: Option<char>) -> Option<char> {
    // Every byte that matters is ASCII: an ASCII line is read byte by byte, same rules.
    if line.is_ascii() {
        let b = line.as_bytes();
        let mut q = quote.map(|c| c as u8);
        let mut prev_space = true;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match (q, c) {
                (None, b'#') if prev_space => break,
                (None | Some(b'"'), b'\\') => i += 1,
                (None, b'\'' | b'"') => q = Some(c),
                (Some(open), c) if c == open => q = None,
                _ => {}
            }
            // As `char::is_whitespace` on ASCII, vertical tab included.
            prev_space = matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b';');
            i += 1;
        }
        return q.map(char::from);
    }
    scan_quotes_chars(line, quote)
}

/// [`scan_quotes`] char by char, for lines with non-ASCII text.
fn scan_quotes_chars(line: &str, mut quote: Option<char>) -> Option<char> {
    let mut chars = line.chars().peekable();
    let mut prev_space = true;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') if prev_space => break,
            (None | Some('"'), '\\') => {
                chars.next();
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        prev_space = c.is_whitespace() || c == ';';
    }
    quote
}

/// A transcript: prompts with their commands, the lines after each its expected output.
fn transcript(lines: &[&str], shell: bool, console: bool, plan: &mut Plan) {
    let mut places = Places::default();
    // Commands typed, each with the place it was typed at.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut output = String::new();
    // Whether the last command may still take continuation lines (no output since).
    let mut open = false;
    let mut leading: Option<usize> = None;
    let plain_prompts = lines.iter().any(|l| {
        prompt_of(l.trim_start())
            .is_some_and(|p| matches!(p.who, Prompter::Shell { root: false, .. }))
    });
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let here = places.current();
        let prompt = prompt_of(trimmed).map(|p| (p.len, p.who)).or_else(|| {
            let root_shell = here.user.as_deref() == Some("root") && here.program.is_none();
            // Beside `$ ` prompts, a `# ` line is a comment, unless a root shell was entered.
            if plain_prompts && !root_shell {
                return None;
            }
            root_hash(trimmed, root_shell).map(|_| {
                (
                    2,
                    Prompter::Shell {
                        root: true,
                        host: None,
                    },
                )
            })
        });
        // `> cmd` after `redis-cli`: the program's own prompt, abbreviated.
        let prompt = prompt.or_else(|| {
            let program = here.program?;
            let len = continuation(trimmed).filter(|_| trimmed.starts_with('>'))?;
            Some((len, Prompter::Program(program)))
        });
        let Some((len, who)) = prompt else {
            if open
                && let Some(len) = continuation(trimmed)
                && let Some(last) = pieces.last_mut()
            {
                let code = last.code.to_mut();
                code.push('\n');
                code.push_str(&trimmed[len..]);
                i += 1;
                continue;
            }
            if pieces.is_empty() {
                if !(trimmed.is_empty() || trimmed.starts_with('#') || console) {
                    leading.get_or_insert(i);
                }
            } else {
                output.push_str(line);
                output.push('\n');
                open = false;
            }
            i += 1;
            continue;
        };
        flush_output(&mut pieces, &mut output);
        let start = i;
        let mut command = trimmed[len..].trim_start().to_string();
        i += 1;
        // Backslash continuations belong to the command, and so do heredoc bodies.
        let mut last = line;
        while ends_with_continuation(last) && i < lines.len() {
            last = lines[i];
            command.push('\n');
            // A pasted session shows the shell's `> ` (PS2) before a continued line: typed, it
            // would be a redirect to a file named after the next word.
            let shown = last.trim_start();
            match continuation(shown).filter(|_| shown.starts_with('>')) {
                Some(len) => command.push_str(&shown[len..]),
                None => command.push_str(last),
            }
            i += 1;
        }
        for delimiter in super::console::heredoc_delimiters(&command) {
            while i < lines.len() {
                let l = lines[i];
                command.push('\n');
                command.push_str(l);
                i += 1;
                if l.trim_start_matches('\t') == delimiter || l.trim() == delimiter {
                    break;
                }
            }
        }
        if command.trim().is_empty() {
            continue;
        }
        let at = match &who {
            Prompter::Shell { root, host } => places.at_shell_prompt(*root, host.as_deref()),
            Prompter::Program(p) => {
                let mut w = places.current();
                w.program = Some(p);
                w
            }
        };
        let first_line = command.lines().next().unwrap_or("").trim().to_string();
        let local = at.is_none();
        pieces.push(Piece {
            code: Cow::Owned(command),
            line: Some(start),
            kind: if local {
                CommandKind::Console
            } else {
                CommandKind::Manual
            },
            runnable: local,
            expected_output: None,
            program: at.program.map(String::from),
            place: at.describe(),
            guessed: false,
        });
        match who {
            Prompter::Shell { .. } => places.after(&first_line),
            // Leaving a program entered from the shell (`\q`, `exit`) returns to that shell.
            Prompter::Program(_) => {
                if enters(&first_line) == Some(Move::Exit) && places.current().program.is_some() {
                    places.stack.pop();
                }
            }
        }
        open = true;
    }
    flush_output(&mut pieces, &mut output);
    // Lines before the first prompt: a script in a shell block, else text to act on by hand.
    if let Some(from) = leading
        && let Some(first) = pieces.first().and_then(|p| p.line)
    {
        let text = lines[from..first].join("\n");
        plan.pieces.push(Piece {
            code: Cow::Owned(text.trim_end().to_string() + "\n"),
            line: Some(from),
            kind: if shell {
                CommandKind::Script
            } else {
                CommandKind::Manual
            },
            runnable: shell,
            expected_output: None,
            program: None,
            place: None,
            guessed: false,
        });
    }
    plan.pieces.extend(pieces);
}

fn flush_output(pieces: &mut [Piece], output: &mut String) {
    if let Some(last) = pieces.last_mut()
        && !output.trim().is_empty()
    {
        // Blank lines around the output are layout, not output.
        let text = output
            .trim_end_matches(['\n', '\r'])
            .trim_start_matches(['\n', '\r']);
        last.expected_output = Some(text.to_string());
    }
    output.clear();
}

fn ends_with_continuation(line: &str) -> bool {
    let backslashes = line.len() - line.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(plan: &Plan) -> Vec<(CommandKind, bool, String)> {
        plan.pieces
            .iter()
            .map(|p| (p.kind, p.runnable, p.code.to_string()))
            .collect()
    }

    #[test]
    fn a_pasted_ps2_prompt_is_not_part_of_the_continued_line() {
        let plan = classify(
            "zsh",
            "% aws x \\\n> --name a \\\n>   --region b\n{}\n",
            false,
            None,
        );
        assert_eq!(plan.pieces[0].code, "aws x \\\n--name a \\\n  --region b");
        assert_eq!(plan.pieces[0].expected_output.as_deref(), Some("{}"));
    }

    #[test]
    fn a_dollar_greater_prompt_is_a_console_command() {
        let plan = classify(
            "bash",
            "$> be knife ssh 'role:x' uptime\nhost1 up 3 days\n",
            false,
            None,
        );
        assert_eq!(
            kinds(&plan),
            [(
                CommandKind::Console,
                true,
                "be knife ssh 'role:x' uptime".into()
            )]
        );
        assert_eq!(
            plan.pieces[0].expected_output.as_deref(),
            Some("host1 up 3 days")
        );
    }

    #[test]
    fn root_prompt_block_is_manual_as_root() {
        let plan = classify("bash", "# gitlab-ctl restart consul\n", false, None);
        assert_eq!(
            kinds(&plan),
            [(
                CommandKind::Manual,
                false,
                "gitlab-ctl restart consul".into()
            )]
        );
        assert_eq!(plan.pieces[0].place.as_deref(), Some("as root"));
    }

    #[test]
    fn comment_only_script_is_reference_with_a_finding() {
        let plan = classify(
            "bash",
            "# nothing to run here, see the dashboard\n",
            false,
            None,
        );
        assert_eq!(
            kinds(&plan),
            [(CommandKind::Reference, false, String::new())]
        );
        assert_eq!(plan.findings[0].code, DiagnosticCode::CommentOnlyScript);
    }

    #[test]
    fn hash_lines_beside_dollar_prompts_are_comments() {
        let plan = classify(
            "shell",
            "# NAMESPACE='<ns>'\n\n$ oc -n $NAMESPACE logs x\nmsg=\"failed\"\n",
            false,
            None,
        );
        assert_eq!(
            kinds(&plan),
            [(CommandKind::Console, true, "oc -n $NAMESPACE logs x".into())]
        );
    }

    #[test]
    fn commented_out_commands_in_a_script_stay_comments() {
        let plan = classify(
            "bash",
            "# systemctl status nginx\nsystemctl restart nginx\n",
            false,
            None,
        );
        assert_eq!(kinds(&plan), [(CommandKind::Script, true, String::new())]);
    }

    #[test]
    fn program_prompts_are_manual_for_their_program() {
        let plan = classify(
            "",
            "$ redis-cli -h cache\n> slowlog get 10\n1) 1) (integer) 14\n",
            false,
            None,
        );
        assert_eq!(
            kinds(&plan),
            [
                (CommandKind::Console, true, "redis-cli -h cache".into()),
                (CommandKind::Manual, false, "slowlog get 10".into())
            ]
        );
        assert_eq!(plan.pieces[1].program.as_deref(), Some("redis-cli"));
        assert_eq!(
            plan.pieces[1].expected_output.as_deref(),
            Some("1) 1) (integer) 14")
        );
        let plan = classify(
            "console",
            "pgbouncer=# SHOW POOLS;\n db | cl\n",
            false,
            None,
        );
        assert_eq!(plan.pieces[0].program.as_deref(), Some("psql"));
        let plan = classify("", "mysql> SELECT 1\n    -> FROM t;\n", false, None);
        assert_eq!(
            kinds(&plan),
            [(CommandKind::Manual, false, "SELECT 1\nFROM t;".into())]
        );
    }

    #[test]
    fn commands_after_ssh_are_manual_on_the_host() {
        let plan = classify(
            "console",
            "$ ssh db1.example.com\n$ sudo su\n# systemctl restart postgres\n# exit\n$ exit\n$ uptime\n",
            false,
            None,
        );
        let got: Vec<(bool, Option<&str>)> = plan
            .pieces
            .iter()
            .map(|p| (p.runnable, p.place.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (true, None),
                (false, Some("on db1.example.com")),
                (false, Some("on db1.example.com as root")),
                (false, Some("on db1.example.com as root")),
                (false, Some("on db1.example.com")),
                (true, None),
            ]
        );
    }

    #[test]
    fn ssh_in_a_script_cuts_it() {
        let plan = classify("bash", "cd /srv\nssh db1\nsystemctl stop x\n", false, None);
        assert_eq!(
            kinds(&plan),
            [
                (CommandKind::Script, true, "cd /srv\nssh db1\n".into()),
                (CommandKind::Manual, false, "systemctl stop x".into())
            ]
        );
        assert_eq!(plan.pieces[1].place.as_deref(), Some("on db1"));
        // With a remote command, ssh returns: the script stays whole.
        let plan = classify("bash", "ssh db1 uptime\nls\n", false, None);
        assert_eq!(kinds(&plan), [(CommandKind::Script, true, String::new())]);
    }

    #[test]
    fn user_at_host_prompts_name_the_host() {
        let plan = classify(
            "console",
            "me@laptop:~$ ssh web1\nme@web1:~$ df -h\nFilesystem  Size\n",
            false,
            None,
        );
        assert_eq!(plan.pieces[0].place, None);
        assert!(plan.pieces[0].runnable);
        assert_eq!(plan.pieces[1].place.as_deref(), Some("on web1"));
        assert_eq!(
            plan.pieces[1].expected_output.as_deref(),
            Some("Filesystem  Size")
        );
    }

    #[test]
    fn enters_other_shells() {
        let host = |c: &str| match enters(c) {
            Some(Move::Enter(w)) => w.describe(),
            _ => None,
        };
        assert_eq!(
            host("ssh -p 22 root@db1").as_deref(),
            Some("on db1 as root")
        );
        assert_eq!(host("sudo -i").as_deref(), Some("as root"));
        assert_eq!(host("su -").as_deref(), Some("as root"));
        assert_eq!(
            host("kubectl exec -it web-0 -n prod -- sh").as_deref(),
            Some("on web-0")
        );
        assert_eq!(host("docker exec -it app bash").as_deref(), Some("on app"));
        assert_eq!(
            host("kubectl --context prod-euw2 -n voice exec -it deploy/fsxinetd -- sh").as_deref(),
            Some("on deploy/fsxinetd")
        );
        assert_eq!(
            host("kubectl --context prod exec pod -- ls").as_deref(),
            None
        );
        assert_eq!(
            host("gcloud compute ssh vm-1 --zone europe-west1-b").as_deref(),
            Some("on vm-1")
        );
        assert_eq!(enters("gcloud compute ssh vm-1 --command 'uptime'"), None);
        assert_eq!(enters("ssh db1 uptime"), None);
        assert_eq!(enters("exit"), Some(Move::Exit));
    }

    #[test]
    fn output_in_a_script_makes_it_manual_with_a_finding() {
        let plan = classify(
            "bash",
            "df -h\nFilesystem      Size  Used Avail\n/dev/sda1  10G\n",
            false,
            None,
        );
        assert_eq!(kinds(&plan), [(CommandKind::Manual, false, String::new())]);
        assert_eq!(plan.findings[0].code, DiagnosticCode::TranscriptInScript);
        assert_eq!(plan.findings[0].line, 1);
        let plan = classify(
            "bash",
            "curl -v https://x\n> GET / HTTP/1.1\n< HTTP/1.1 200 OK\n",
            false,
            None,
        );
        assert_eq!(plan.findings[0].line, 1);
    }

    #[test]
    fn heredocs_and_quoted_yaml_are_not_output() {
        let plan = classify(
            "bash",
            "cat <<EOF > x.yaml\nkey: value\n- item\nEOF\nkubectl patch x -p '\nspec:\n  replicas: 0\n'\n",
            false,
            None,
        );
        assert_eq!(kinds(&plan), [(CommandKind::Script, true, String::new())]);
        assert!(plan.findings.is_empty());
    }

    #[test]
    fn reference_blocks() {
        for lang in [
            "mermaid", "yaml", "json", "text", "output", "plantuml", "dot",
        ] {
            let plan = classify(lang, "a: b\n", false, None);
            assert_eq!(plan.pieces[0].kind, CommandKind::Reference, "{lang}");
        }
        assert_eq!(
            classify("yaml", "a: b\n", true, None).pieces[0].kind,
            CommandKind::Script
        );
        for intro in [
            "Output:",
            "The result should look like",
            "It returns:",
            "You should see:",
            "Example output",
        ] {
            let plan = classify("bash", "ls\n", false, Some(intro));
            assert_eq!(plan.pieces[0].kind, CommandKind::Reference, "{intro}");
        }
        let plan = classify(
            "bash",
            "ls\n",
            false,
            Some("This command returns nothing useful, so run it"),
        );
        assert_eq!(plan.pieces[0].kind, CommandKind::Script);
    }

    #[test]
    fn unlabelled_blocks_by_content() {
        let plan = classify(
            "",
            "kubectl get pods -n x\ncurl -s $URL | jq .\n",
            false,
            None,
        );
        assert_eq!(kinds(&plan), [(CommandKind::Script, true, String::new())]);
        assert!(plan.pieces[0].guessed);
        assert_eq!(plan.findings[0].code, DiagnosticCode::UnlabelledShell);
        let plan = classify(
            "",
            "NAME   READY   STATUS\nweb-0  1/1     Running\n",
            false,
            None,
        );
        assert_eq!(plan.pieces[0].kind, CommandKind::Reference);
        let plan = classify(
            "",
            "Open the console and press the red button\n",
            false,
            None,
        );
        assert_eq!(plan.pieces[0].kind, CommandKind::Manual);
        let plan = classify("", "$ uptime\n", false, None);
        assert_eq!(plan.pieces[0].kind, CommandKind::Console);
        assert!(plan.findings.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn ascii_lines_are_scanned_as_char_by_char(
            line in "[ a#'\"\\\\;\t\x0b]{0,24}",
            open in proptest::sample::select(vec![None, Some('\''), Some('"')]),
        ) {
            proptest::prop_assert_eq!(scan_quotes(&line, open), scan_quotes_chars(&line, open));
        }
    }
}
