# guardsh shell integration for zsh: add `eval "$(guardsh init zsh)"` to ~/.zshrc.
#
# Each line typed at the prompt is checked by `guardsh gate` before zsh runs it; a refused
# line does not run and stays in the editing buffer. Evaluating this twice changes nothing.
#
# The widgets that accept a line (accept-line, accept-and-hold, accept-line-and-down-history,
# accept-and-infer-next-history) are replaced by one that judges the whole buffer first and
# then calls the widget that was there before (another plugin's, or zsh's own `.name`).
# preexec cannot be used: its return value is ignored, so it cannot stop a line.

# The shim directory goes first on PATH, once (moved to the front if it is elsewhere).
() {
    emulate -L zsh
    local dir=@GUARDSH_SHIMS@
    [[ ${path[1]} == "${dir}" ]] && return 0
    path=("${dir}" "${(@)path:#${dir}}")
}

typeset -g __guardsh_bin=@GUARDSH_BIN@

# One function for every accepting widget; $WIDGET says which one was pressed.
__guardsh_accept() {
    emulate -L zsh
    local text=${PREBUFFER}${BUFFER} status_
    if [[ -z ${text//[[:space:]]/} ]]; then
        __guardsh_pass "$@"
        return
    fi
    # History expansion (`!!`, `!rm`) happens after Enter: expand it in the buffer first, so
    # that what is judged is what runs (and what is refused shows expanded).
    if [[ -o BANG_HIST && ${text} == *'!'* || ${text} == '^'* ]]; then
        builtin zle .expand-history
        text=${PREBUFFER}${BUFFER}
    fi
    # Let guardsh's messages and questions start on a clean line below the prompt.
    builtin zle -I
    "${__guardsh_bin}" gate --shell zsh -- "${text}" </dev/null
    status_=$?
    case ${status_} in
        0) __guardsh_pass "$@" ;;
        8)
            # Not finished (an open quote, `&&` at the end): keep typing in the same buffer,
            # so that the whole text is judged at once when it is.
            BUFFER+=$'\n'
            CURSOR=${#BUFFER}
            ;;
        *) ;; # refused: BUFFER stays as it was, for editing
    esac
    return 0
}

# Run the widget this one replaced: another plugin's, saved at load, or zsh's own.
__guardsh_pass() {
    if (( ${+widgets[__guardsh_orig_${WIDGET}]} )); then
        builtin zle "__guardsh_orig_${WIDGET}" -- "$@"
    else
        builtin zle ".${WIDGET}" -- "$@"
    fi
}

if [[ -o interactive ]] && builtin zmodload zsh/zle 2>/dev/null; then
    () {
        emulate -L zsh
        local name
        for name in accept-line accept-and-hold accept-line-and-down-history \
            accept-and-infer-next-history; do
            # Keep a plugin's own widget to chain to, unless it is already ours (loaded twice).
            case ${widgets[${name}]-} in
                user:__guardsh_accept | '' | builtin) ;;
                *) builtin zle -A "${name}" "__guardsh_orig_${name}" ;;
            esac
            builtin zle -N "${name}" __guardsh_accept
        done
    }
fi
