# bash completion for nerx                                     -*- shell-script -*-
# Installed to share/bash-completion/completions/nerx; to try it without
# installing: source completions/nerx.bash

_nerx() {
  local cur prev sub="" i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  # --option=value arrives as three words: --option = value
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi

  local main_opts="-h --help --version -r --recursive --input --text-field --format --offsets
    --types --explain --canonical --no-propagate -j --jobs -q --quiet --on-error --binary
    --gazetteer --rules --model --no-default-model"
  local eval_opts="-h --help --errors --gazetteer --rules --model --no-default-model"
  local compile_opts="-h --help -o --output --gazetteer --rules"

  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      eval | compile)
        sub=${COMP_WORDS[i]}
        break
        ;;
    esac
  done

  _nerx_files() {
    if declare -F _filedir >/dev/null; then
      _filedir "$@"
    else
      compopt -o filenames 2>/dev/null
      local IFS=$'\n'
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
  }

  case $prev in
    --input)
      COMPREPLY=($(compgen -W "text lines jsonl" -- "$cur"))
      return
      ;;
    --format)
      COMPREPLY=($(compgen -W "jsonl json tsv conll html" -- "$cur"))
      return
      ;;
    --offsets)
      COMPREPLY=($(compgen -W "codepoint byte utf16" -- "$cur"))
      return
      ;;
    --on-error)
      COMPREPLY=($(compgen -W "record fail" -- "$cur"))
      return
      ;;
    --binary)
      COMPREPLY=($(compgen -W "skip text" -- "$cur"))
      return
      ;;
    --types)
      # A comma-separated list: complete its last item.
      local done_part="" last=$cur
      if [[ $cur == *,* ]]; then
        done_part=${cur%,*},
        last=${cur##*,}
      fi
      compopt -o nospace 2>/dev/null
      COMPREPLY=($(compgen -P "$done_part" -W "PERSON LOCATION ORGANIZATION" -- "$last"))
      return
      ;;
    -j | --jobs)
      COMPREPLY=($(compgen -W "1 2 4 8 $(nproc 2>/dev/null)" -- "$cur"))
      return
      ;;
    --text-field)
      return
      ;;
    --gazetteer | --rules | --model | -o | --output)
      _nerx_files
      return
      ;;
  esac

  if [[ $cur == -* ]]; then
    local opts=$main_opts
    [[ $sub == eval ]] && opts=$eval_opts
    [[ $sub == compile ]] && opts=$compile_opts
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi

  case $sub in
    compile) ;;  # no arguments of its own
    eval) _nerx_files ;;
    *)
      _nerx_files
      if [[ $COMP_CWORD == 1 ]]; then
        COMPREPLY+=($(compgen -W "eval compile" -- "$cur"))
      fi
      ;;
  esac
}
complete -F _nerx nerx
