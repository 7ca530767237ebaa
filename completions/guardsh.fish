# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_guardsh_global_optspecs
    string join \n color= h/help V/version
end

function __fish_guardsh_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_guardsh_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_guardsh_using_subcommand
    set -l cmd (__fish_guardsh_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c guardsh -n "__fish_guardsh_needs_command" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_needs_command" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "explain" -d 'Show every command a line would run, where it sits, and what cannot be known'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "check" -d 'Decide whether a line may run: allow, warn, confirm or deny. Runs nothing'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "test" -d 'Run the examples of rule packs: each `block` line must match its rule, each `allow` line must not'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "approve" -d 'Approve, once, a command that was refused for want of a person\'s confirmation'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "backup" -d 'Take, without running LINE, every backup its destructive commands need'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "backups" -d 'List, show and prune the backups guardsh took'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "restore" -d 'Put a backup back where it was taken from'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "log" -d 'Show recent decisions from the audit log'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "shell" -d 'Set guardsh up as a shell: links named bash, zsh and sh that guard, then run the real one'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "run" -d 'Run one program, guarded: decided as `check` decides, then exec\'d or refused'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "confine" -d 'Start a program (the agent itself) inside the kernel boundary, judging nothing'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "shim" -d 'Manage shims: links named after dangerous CLIs that guard each call'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "alias" -d 'Print alias lines (`alias railway=\'guardsh run -- railway\'`) for the covered CLIs on PATH'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "config" -d 'Show the configuration in effect: each layer, what it sets, and what was ignored'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "init" -d 'Print the shell integration for an interactive bash, zsh or fish: each line typed is checked before it runs'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "gate" -d 'Decide on one interactive command line, asking on the terminal if it needs confirmation; runs nothing. Called by the `guardsh init` scripts on Enter'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "hook" -d 'Answer an AI agent\'s pre-execution hook: read its JSON on standard input, decide as `check` does, and reply in that agent\'s format'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "mcp" -d 'Serve the Model Context Protocol on standard input and output: tools that run, check and explain shell commands, guarded'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "install" -d 'Write guardsh\'s hook into an agent\'s settings (merged, with a backup)'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "uninstall" -d 'Remove guardsh\'s hook from an agent\'s settings, and nothing else (with a backup)'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "doctor" -d 'Check that the installed hooks answer: a harmless and a destructive probe per agent'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "setup" -d 'Create the protected directory the kernel boundary keeps out of every guarded tree (run once, as root)'
complete -c guardsh -n "__fish_guardsh_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand explain" -s f -l file -d 'Read the shell text from PATH instead of the command line (`-` reads standard input)' -r -F
complete -c guardsh -n "__fish_guardsh_using_subcommand explain" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand explain" -l json -d 'Print the analysis as one JSON object: `{"commands": […], "unknowns": […], "cannot_be_checked": bool}`'
complete -c guardsh -n "__fish_guardsh_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand explain" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand check" -s f -l file -d 'Read the shell text from PATH instead of the command line (`-` reads standard input)' -r -F
complete -c guardsh -n "__fish_guardsh_using_subcommand check" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand check" -l json -d 'Print the decision as one JSON object (the stable machine interface)'
complete -c guardsh -n "__fish_guardsh_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand check" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand test" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand test" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand approve" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand approve" -l no-backup -d 'Run it without the backup guardsh would take first: a mistake is then permanent (logged as such)'
complete -c guardsh -n "__fish_guardsh_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand approve" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backup" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand backup" -l json -d 'Print JSON'
complete -c guardsh -n "__fish_guardsh_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand backup" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -f -a "list" -d 'List the backups, oldest first'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -f -a "show" -d 'Show one backup: what, where, how it is restored, and whether its files are intact'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -f -a "prune" -d 'Remove backups older than the retention (`backup.keep_days` in the config, 30 days)'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and not __fish_seen_subcommand_from list show prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from prune" -l older-than -d 'Remove backups older than this many days instead' -r
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from prune" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the backups, oldest first'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one backup: what, where, how it is restored, and whether its files are intact'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove backups older than the retention (`backup.keep_days` in the config, 30 days)'
complete -c guardsh -n "__fish_guardsh_using_subcommand backups; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand restore" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand restore" -l yes -d 'Do not ask on the terminal first'
complete -c guardsh -n "__fish_guardsh_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand restore" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -l decision -d 'Show only these decisions (allow, warn, confirm, deny); repeat for several' -r -f -a "allow\t''
warn\t''
confirm\t''
deny\t''"
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -s n -l limit -d 'How many of the most recent entries to show' -r
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -l json -d 'Print the entries as JSON lines, as they are stored'
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand log" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and not __fish_seen_subcommand_from install help" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and not __fish_seen_subcommand_from install help" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Create links named bash, zsh and sh to guardsh in a directory of their own, and print the line to give an agent (Claude Code accepts only a shell whose path names bash or zsh, and Codex recognises shells by name)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from install" -l dir -d 'Where to create the links (default: ~/.local/share/guardsh/bin)' -r -f -a "(__fish_complete_directories)"
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from install" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from help" -f -a "install" -d 'Create links named bash, zsh and sh to guardsh in a directory of their own, and print the line to give an agent (Claude Code accepts only a shell whose path names bash or zsh, and Codex recognises shells by name)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shell; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand run" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand run" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand confine" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand confine" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand confine" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -f -a "add" -d 'Link programs\' names to guardsh in the shim directory (put it first on PATH)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -f -a "list" -d 'List the programs shimmed'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -f -a "remove" -d 'Remove shims (only links to guardsh are removed)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and not __fish_seen_subcommand_from add list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from add" -l dir -d 'The shim directory (default: ~/.local/share/guardsh/shims)' -r -f -a "(__fish_complete_directories)"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from add" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from add" -l recommended -d 'Also add every program the built-in packs cover that is on PATH (general tools such as rm, python3 or curl-free shells are left out)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from list" -l dir -d 'The shim directory (default: ~/.local/share/guardsh/shims)' -r -f -a "(__fish_complete_directories)"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from remove" -l dir -d 'The shim directory (default: ~/.local/share/guardsh/shims)' -r -f -a "(__fish_complete_directories)"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from remove" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "add" -d 'Link programs\' names to guardsh in the shim directory (put it first on PATH)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the programs shimmed'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove shims (only links to guardsh are removed)'
complete -c guardsh -n "__fish_guardsh_using_subcommand shim; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand alias" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand alias" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand alias" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -f -a "show" -d 'Print the effective configuration and where each part came from: built-in packs, then /etc/guardsh (only when root owns it and nobody else can write it), then ~/.config/guardsh, then .guardsh.yaml found upward from the working directory (which can only tighten). Exit 6 when a file is broken'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -f -a "trust" -d 'Trust the exact content of the user\'s configuration and login startup files, so that what they loosen takes effect (run by a person, outside any guarded command)'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and not __fish_seen_subcommand_from show trust help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print JSON instead of text'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from trust" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from trust" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration and where each part came from: built-in packs, then /etc/guardsh (only when root owns it and nobody else can write it), then ~/.config/guardsh, then .guardsh.yaml found upward from the working directory (which can only tighten). Exit 6 when a file is broken'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "trust" -d 'Trust the exact content of the user\'s configuration and login startup files, so that what they loosen takes effect (run by a person, outside any guarded command)'
complete -c guardsh -n "__fish_guardsh_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand init" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand init" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand gate" -l shell -d 'The shell the line was typed at: bash and zsh lines that are not finished are told apart from broken ones (fish tells its scripts itself)' -r -f -a "bash\t'GNU bash 4 or newer'
zsh\t'zsh'
fish\t'fish 3 or newer'"
complete -c guardsh -n "__fish_guardsh_using_subcommand gate" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand gate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand gate" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand hook" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand hook" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand mcp" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand mcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand mcp" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -l scope -d 'The user\'s settings, the project\'s in the current directory, or the system-wide settings a user cannot change (root only)' -r -f -a "user\t'The user\'s settings, for every project'
project\t'The project\'s settings, in the current directory'
system\t'The agent\'s system-wide (managed) settings, which a user cannot change and a project cannot override (needs root)'"
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -l dry-run -d 'Print the change (a unified diff) and write nothing'
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -l mcp -d 'Register guardsh\'s MCP server (`guardsh mcp`) in the agent\'s MCP settings instead of its hook'
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand install" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -l scope -d 'The user\'s settings, the project\'s in the current directory, or the system-wide settings a user cannot change (root only)' -r -f -a "user\t'The user\'s settings, for every project'
project\t'The project\'s settings, in the current directory'
system\t'The agent\'s system-wide (managed) settings, which a user cannot change and a project cannot override (needs root)'"
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -l dry-run -d 'Print the change (a unified diff) and write nothing'
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -l mcp -d 'Register guardsh\'s MCP server (`guardsh mcp`) in the agent\'s MCP settings instead of its hook'
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand uninstall" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand doctor" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand doctor" -l json -d 'Print the report as one JSON object'
complete -c guardsh -n "__fish_guardsh_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand setup" -l user -d 'The user to set up (default: the one who ran sudo, else the current user)' -r
complete -c guardsh -n "__fish_guardsh_using_subcommand setup" -l color -d 'When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set' -r -f -a "auto\t'Colour when standard output is a terminal and `NO_COLOR` is unset or empty'
always\t'Always colour, even into a pipe or with `NO_COLOR` set'
never\t'Never colour'"
complete -c guardsh -n "__fish_guardsh_using_subcommand setup" -l capability -d 'Give the protected copy CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE (permitted only): sudo works in guarded commands, and their logs are append-only'
complete -c guardsh -n "__fish_guardsh_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guardsh -n "__fish_guardsh_using_subcommand setup" -s V -l version -d 'Print version'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "explain" -d 'Show every command a line would run, where it sits, and what cannot be known'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "check" -d 'Decide whether a line may run: allow, warn, confirm or deny. Runs nothing'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "test" -d 'Run the examples of rule packs: each `block` line must match its rule, each `allow` line must not'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "approve" -d 'Approve, once, a command that was refused for want of a person\'s confirmation'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "backup" -d 'Take, without running LINE, every backup its destructive commands need'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "backups" -d 'List, show and prune the backups guardsh took'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "restore" -d 'Put a backup back where it was taken from'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "log" -d 'Show recent decisions from the audit log'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "shell" -d 'Set guardsh up as a shell: links named bash, zsh and sh that guard, then run the real one'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "run" -d 'Run one program, guarded: decided as `check` decides, then exec\'d or refused'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "confine" -d 'Start a program (the agent itself) inside the kernel boundary, judging nothing'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "shim" -d 'Manage shims: links named after dangerous CLIs that guard each call'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "alias" -d 'Print alias lines (`alias railway=\'guardsh run -- railway\'`) for the covered CLIs on PATH'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "config" -d 'Show the configuration in effect: each layer, what it sets, and what was ignored'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "init" -d 'Print the shell integration for an interactive bash, zsh or fish: each line typed is checked before it runs'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "gate" -d 'Decide on one interactive command line, asking on the terminal if it needs confirmation; runs nothing. Called by the `guardsh init` scripts on Enter'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "hook" -d 'Answer an AI agent\'s pre-execution hook: read its JSON on standard input, decide as `check` does, and reply in that agent\'s format'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "mcp" -d 'Serve the Model Context Protocol on standard input and output: tools that run, check and explain shell commands, guarded'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "install" -d 'Write guardsh\'s hook into an agent\'s settings (merged, with a backup)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "uninstall" -d 'Remove guardsh\'s hook from an agent\'s settings, and nothing else (with a backup)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "doctor" -d 'Check that the installed hooks answer: a harmless and a destructive probe per agent'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "setup" -d 'Create the protected directory the kernel boundary keeps out of every guarded tree (run once, as root)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and not __fish_seen_subcommand_from explain check test approve backup backups restore log shell run confine shim alias config init gate hook mcp install uninstall doctor setup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from backups" -f -a "list" -d 'List the backups, oldest first'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from backups" -f -a "show" -d 'Show one backup: what, where, how it is restored, and whether its files are intact'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from backups" -f -a "prune" -d 'Remove backups older than the retention (`backup.keep_days` in the config, 30 days)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from shell" -f -a "install" -d 'Create links named bash, zsh and sh to guardsh in a directory of their own, and print the line to give an agent (Claude Code accepts only a shell whose path names bash or zsh, and Codex recognises shells by name)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "add" -d 'Link programs\' names to guardsh in the shim directory (put it first on PATH)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "list" -d 'List the programs shimmed'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from shim" -f -a "remove" -d 'Remove shims (only links to guardsh are removed)'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration and where each part came from: built-in packs, then /etc/guardsh (only when root owns it and nobody else can write it), then ~/.config/guardsh, then .guardsh.yaml found upward from the working directory (which can only tighten). Exit 6 when a file is broken'
complete -c guardsh -n "__fish_guardsh_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "trust" -d 'Trust the exact content of the user\'s configuration and login startup files, so that what they loosen takes effect (run by a person, outside any guarded command)'
