// mcpreg completion bash: prints the bash completion script.
#include "cli.hpp"

#include <completion_script.hpp>

#include <iostream>

namespace mcpreg::cli {

int run_completion(const arguments& args)
{
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "usage: mcpreg completion bash\n\nPrints the bash completion script. Load it with\n"
                     "  source <(mcpreg completion bash)\nor install it as "
                     "~/.local/share/bash-completion/completions/mcpreg.\n";
        return exit_ok;
    }
    if (args.size() != 1 || args[0] != "bash") {
        std::cerr << "usage: mcpreg completion bash\n";
        return exit_unreadable;
    }
    std::cout << completion_script;
    return exit_ok;
}

}  // namespace mcpreg::cli
