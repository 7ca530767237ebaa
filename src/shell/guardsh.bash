# guardsh shell integration for bash: add `eval "$(guardsh init bash)"` to ~/.bashrc.
#
# Each line typed at the prompt is checked by `guardsh gate` before bash runs it; a refused
# line does not run and stays in the editing buffer. Evaluating this twice changes nothing.
#
# Why Enter is bound (`bind -x`) rather than a DEBUG trap with `extdebug`: a DEBUG trap runs
# once per simple command, so refusing a line means skipping each of its commands in turn,
# and a skipped command leaves `$?` at 0 (`while true; do BAD; done` would spin for ever,
# `BAD || fallback` would not fall back). `extdebug` cannot be switched on from ~/.bashrc
# without an error, `history 1` (the only way to see the whole line from the trap) is wrong
# under HISTCONTROL=ignorespace or `set +o history`, and a refused line would be gone from
# the buffer. Binding Enter sees exactly the buffer readline is about to hand to bash, and a
# refusal simply does not accept it.
#
# How: Return and Control-J are bound to a macro of two private key sequences. The first
# runs __guardsh_judge (`bind -x`), which asks guardsh about READLINE_LINE and then binds the
# second either to `accept-line` (run it) or to `redraw-current-line` (keep it for editing).
# Control-O (operate-and-get-next) goes the same way. edit-and-execute-command (Control-X
# Control-E, `v` in vi command mode) is unbound: the text it runs comes from the editor and
# never passes through Enter.

# The shim directory goes first on PATH, once (moved to the front if it is elsewhere).
__guardsh_path() {
    local dir=@GUARDSH_SHIMS@ rest=":${PATH}:"
    case ":${PATH}:" in
        ":${dir}:"*) return 0 ;;
    esac
    while [[ ${rest} == *":${dir}:"* ]]; do
        rest=${rest//":${dir}:"/:}
    done
    rest=${rest#:}
    rest=${rest%:}
    PATH="${dir}${rest:+:${rest}}"
}
__guardsh_path

__guardsh_bin=@GUARDSH_BIN@

# Called on Enter with the buffer in READLINE_LINE.
# Let the second key of the macro run the line, or only redraw it.
__guardsh_then() {
    if [[ $1 == run ]]; then
        builtin bind '"\C-x\C-_\C-a": accept-line'
        builtin bind '"\C-x\C-_\C-o": operate-and-get-next'
    else
        builtin bind '"\C-x\C-_\C-a": redraw-current-line'
        builtin bind '"\C-x\C-_\C-o": redraw-current-line'
    fi
}

__guardsh_judge() {
    local line=${READLINE_LINE} judged status
    if [[ -z ${line//[[:space:]]/} ]]; then
        __guardsh_then run
        return 0
    fi
    judged=${line}
    # History expansion (`!!`, `!rm`, `^a^b`) happens after Enter: judge what bash will run.
    if [[ $- == *H* ]] && [[ ${line} == *'!'* || ${line} == '^'* ]]; then
        judged=$(builtin history -p -- "${line}" 2>/dev/null) || judged=${line}
    fi
    "${__guardsh_bin}" gate --shell bash -- "${judged}" </dev/null
    status=$?
    case ${status} in
        0)
            __guardsh_then run
            ;;
        8)
            # Not finished (an open quote, `&&` at the end): keep typing in the same buffer,
            # so that the whole text is judged at once when it is.
            READLINE_LINE+=$'\n'
            READLINE_POINT=${#READLINE_LINE}
            __guardsh_then keep
            ;;
        *)
            __guardsh_then keep
            ;;
    esac
    return 0
}

# Only an interactive bash with line editing has an Enter to bind.
if [[ $- == *i* ]] && ((BASH_VERSINFO[0] >= 4)); then
    for __guardsh_map in emacs vi-insert vi-command; do
        builtin bind -m "${__guardsh_map}" -x '"\C-x\C-_\C-g": __guardsh_judge'
        builtin bind -m "${__guardsh_map}" '"\C-x\C-_\C-a": accept-line'
        builtin bind -m "${__guardsh_map}" '"\C-m": "\C-x\C-_\C-g\C-x\C-_\C-a"'
        builtin bind -m "${__guardsh_map}" '"\C-j": "\C-x\C-_\C-g\C-x\C-_\C-a"'
        builtin bind -m "${__guardsh_map}" '"\C-x\C-_\C-o": operate-and-get-next'
    done
    unset __guardsh_map
    builtin bind -m emacs '"\C-o": "\C-x\C-_\C-g\C-x\C-_\C-o"'
    builtin bind -m emacs -r '\C-x\C-e'
    builtin bind -m vi-command -r 'v'
fi
