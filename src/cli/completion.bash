# bash completion for mcpreg. Load it with: source <(mcpreg completion bash)
# (installed as share/bash-completion/completions/mcpreg, which bash-completion loads on demand).
_mcpreg() {
    local cur prev command i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="validate fmt serve list show versions login publish status mirror search resolve completion"
    local global="--registry --cache --no-cache --offline --verbose --help --version"

    command=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --registry|--cache) ((i++)) ;;
            -*) ;;
            *) command=${COMP_WORDS[i]}; break ;;
        esac
    done

    case $prev in
        --cache|--db|--seed|--file|--jwt-key-file|--bundle-cache|--private-key)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --registry|--listen|--search|--limit|--input|--message|--token|--key|--domain|--audience|--max-age)
            return ;;
        --format)
            COMPREPLY=($(compgen -W "argv json vscode claude cursor posix powershell" -- "$cur")); return ;;
        --set)
            COMPREPLY=($(compgen -W "active deprecated deleted" -- "$cur")); return ;;
        --auth)
            COMPREPLY=($(compgen -W "none admin-key dns http github github-oidc oidc" -- "$cur")); return ;;
        --version)
            [[ $command == list ]] && COMPREPLY=($(compgen -W "latest" -- "$cur")); return ;;
        --schema)
            COMPREPLY=($(compgen -W "2025-07-09 2025-09-16 2025-09-29 2025-10-11 2025-10-17 2025-12-11 draft" -- "$cur")); return ;;
    esac

    local flags=""
    case $command in
        "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
        validate) flags="--json --official --quiet --schema" ;;
        fmt) flags="--upgrade" ;;
        serve) flags="--db --db-pool --seed --listen --max-age --response-cache --threads --auth --admin-key --jwt-key-file --dns-server --sqlite-sync --token-audience
                      --github-api --github-oidc-audience --github-oidc-issuer --oidc-issuer --oidc-client-id
                      --oidc-publish --oidc-edit --oidc-extra-claims --blocked-namespace" ;;
        list) flags="--search --limit --all --updated-since --version --include-deleted --json" ;;
        show|versions) flags="--include-deleted --json" ;;
        login)
            if [[ $COMP_CWORD -eq $((i + 1)) ]]; then
                COMPREPLY=($(compgen -W "none admin dns http github github-oidc oidc" -- "$cur")); return
            fi
            flags="--key --domain --private-key --token --audience" ;;
        publish) flags="--token" ;;
        status) flags="--set --message --token" ;;
        mirror) flags="--db --page-size --json" ;;
        search) flags="--db --limit --source --json" ;;
        resolve) flags="--file --package --input --format --runner --joined --no-remotes --bundle-cache --allow-runner-option --reveal-secrets" ;;
        completion) COMPREPLY=($(compgen -W "bash" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags --help $global" -- "$cur"))
    elif [[ $command == validate || $command == fmt || $command == publish ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _mcpreg mcpreg
