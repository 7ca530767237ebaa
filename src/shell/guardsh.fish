# guardsh shell integration for fish: add `guardsh init fish | source` to
# ~/.config/fish/config.fish.
#
# Each line typed at the prompt is checked by `guardsh gate` before fish runs it; a refused
# line does not run and stays in the command line. Sourcing this twice changes nothing.
# Enter is bound (fish_preexec cannot stop a command) in the default and vi insert modes.

# The shim directory goes first on PATH, once (moved to the front if it is elsewhere).
set -l __guardsh_shims @GUARDSH_SHIMS@
if test "$PATH[1]" != "$__guardsh_shims"
    set -gx PATH $__guardsh_shims (builtin string match -v -- $__guardsh_shims $PATH)
end

set -g __guardsh_bin @GUARDSH_BIN@

function __guardsh_accept --description 'guardsh: check the command line, then run it'
    set -l text (builtin commandline | builtin string collect)
    # Nothing to run, or fish itself will not run it yet: an unfinished line (fish adds a
    # new line and keeps reading) or a syntax error (fish reports it and runs nothing).
    if not builtin string match -qr '\S' -- "$text"; or not builtin commandline --is-valid
        builtin commandline -f execute
        return
    end
    $__guardsh_bin gate --shell fish -- "$text" </dev/null
    if test $status -eq 0
        builtin commandline -f execute
    else
        # Refused: the line stays, for editing.
        builtin commandline -f repaint
    end
end

if status is-interactive
    for __guardsh_key in \r \n
        builtin bind $__guardsh_key __guardsh_accept
        builtin bind -M insert $__guardsh_key __guardsh_accept
    end
    set -e __guardsh_key
end
