//! A cheap, conservative lexical test: may this command text change the shell state that
//! carries to the next command (directory, exported variables)? Only then does the runner pay
//! for the capture; when unsure, the answer is yes.

/// Builtins and keywords through which a command changes its shell's directory or variables,
/// or runs text this test cannot see (`eval`, `source`, `trap`, `enable`).
const STATEFUL: &[&str] = &[
    "cd",
    "pushd",
    "popd",
    "export",
    "unset",
    "source",
    "set",
    "declare",
    "typeset",
    "local",
    "readonly",
    "eval",
    "exec",
    "alias",
    "shopt",
    "umask",
    "read",
    "readarray",
    "mapfile",
    "getopts",
    "let",
    "trap",
    "enable",
];

/// Words after which the next word is again a command name.
const PREFIXES: &[&str] = &[
    "builtin", "command", "time", "!", "if", "then", "else", "elif", "do", "while", "until", "{",
];

/// True when `text` may change the directory or the exported variables of the shell running it:
/// a stateful builtin named anywhere (even quoted: `"c"d` is `cd`), an assignment `NAME=`,
/// `NAME+=`, `a[i]=` or `${NAME:=…}`, arithmetic (`((n++))`), or a command name that is an
/// expansion or a glob (it could be anything).
pub fn may_change_state(text: &str) -> bool {
    if text.contains("((") {
        return true; // `((x++))`, `$((x=1))` assign without an `=` after a name.
    }
    let mut command_position = true;
    // After `>` or `<` comes a file name; the command name may still follow it.
    let mut redirect_target = false;
    for (op, raw) in words(text) {
        if op {
            redirect_target = !raw.contains([';', '&', '|', '(', ')', '`', '\n']);
            command_position |= !redirect_target;
            continue;
        }
        if std::mem::take(&mut redirect_target) {
            continue;
        }
        // Quote removal: `'c'd`, `"cd"` and `\cd` all run `cd`.
        let word: String = raw
            .chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        if STATEFUL.contains(&word.as_str()) || assigns(&word) {
            return true;
        }
        if word == "printf" && text.contains("-v") {
            return true; // `printf -v NAME` assigns.
        }
        if command_position {
            // `.` sources a file only as a command (`find . -name x` does not).
            let glob = word.contains(['*', '?']) || (word.contains('[') && !word.starts_with('['));
            if word == "." || word.contains(['$', '`']) || glob {
                return true;
            }
        }
        command_position = PREFIXES.contains(&word.as_str());
    }
    false
}

/// The text's words and runs of operators (`;`, `&`, `|`, `(`, `)`, `<`, `>`, a backquote, a
/// newline), each with whether it is an operator run.
fn words(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches([' ', '\t']);
        let first = rest.chars().next()?;
        let is_op = |c: char| matches!(c, ';' | '&' | '|' | '(' | ')' | '<' | '>' | '`' | '\n');
        let end = if is_op(first) {
            rest.find(|c: char| !is_op(c) && c != ' ' && c != '\t')
                .unwrap_or(rest.len())
        } else {
            rest.find(|c: char| is_op(c) || c == ' ' || c == '\t')
                .unwrap_or(rest.len())
        };
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some((is_op(first), word))
    })
}

/// True when an `=` in `word` follows a name at the word's start (`NAME=`, `NAME+=`, `a[1]=`)
/// or inside a `${…}` (`${NAME=x}`, `${NAME:=x}`).
fn assigns(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        if b != b'=' {
            return false;
        }
        let mut j = i;
        if j > 0 && matches!(bytes[j - 1], b'+' | b':') {
            j -= 1;
        }
        if j > 0 && bytes[j - 1] == b']' {
            return true;
        }
        let end = j;
        while j > 0 && (bytes[j - 1].is_ascii_alphanumeric() || bytes[j - 1] == b'_') {
            j -= 1;
        }
        end > j && (j == 0 || bytes[j - 1] == b'{')
    })
}

#[cfg(test)]
mod tests {
    use super::may_change_state;

    #[test]
    fn commands_that_change_state_are_caught() {
        for text in [
            "cd /tmp",
            "ls && cd /var/log",
            "(cd x; make)",
            "pushd /srv",
            "popd",
            "export A=1",
            "unset A",
            "source env.sh",
            ". ./env.sh",
            "set -a",
            "declare -x A=1",
            "typeset -x A",
            "f() { local A; }; f",
            "readonly A",
            "eval \"$CMD\"",
            "exec bash",
            "alias ll='ls -l'",
            "shopt -s expand_aliases",
            "umask 077",
            "A=1",
            "A+=x",
            "arr[2]=x",
            "env | grep X; B=2 make",
            "echo ${HOME:=/root}",
            "echo ${A=1}",
            "((HOME++))",
            "echo $((A=2))",
            "read HOME",
            "mapfile -t PATH < f",
            "printf -v PATH %s x",
            "\\cd /tmp",
            "'c'd /tmp",
            "\"cd\" /tmp",
            "builtin cd /tmp",
            "command cd /tmp",
            "$CMD /tmp",
            "ls | $(echo cd) x",
            "`echo cd` x",
            "if true; then $X; fi",
            "./*",
            "x=$(ls)",
            "trap 'cd /' EXIT",
            "> out . ./env.sh",
            "ls; . env.sh",
        ] {
            assert!(may_change_state(text), "{text:?} should be captured");
        }
    }

    #[test]
    fn plain_commands_are_not_captured() {
        for text in [
            "true",
            "kubectl get pods -n web",
            "ls -l /var/log | grep -c error",
            "curl -fsS --max-time=5 https://example.com/health",
            "systemctl restart nginx && systemctl status nginx",
            "echo $HOME ${USER}",
            "grep -r 'x' . > out.txt 2>&1",
            "sleep 1; date",
            "git log --oneline -5",
            "docker ps --format '{{.Names}}'",
            "test -f /etc/hosts",
            "[[ $A == b ]] && echo yes",
            "./deploy.sh --env prod",
            "find . -name '*.log'",
        ] {
            assert!(!may_change_state(text), "{text:?} should not be captured");
        }
    }
}
