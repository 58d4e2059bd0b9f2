// Each runner's table of the options it accepts from a registry entry. An option outside its runner's table is
// refused without the caller's opt-in. docs/security.md lists these tables; keep the two in step.
#include "runner_options.hpp"

#include <array>

namespace mcpreg::resolve::detail {

namespace {

// docker run and podman run. Docker has hundreds of options: an entry gets the common harmless ones, the ones
// read and reported (env, ports, mounts, network, namespaces), and nothing else without an opt-in.
constexpr std::array container_rules = {
    option_rule{"-i", false, effect::allowed},
    option_rule{"--interactive", false, effect::allowed},
    option_rule{"-t", false, effect::allowed},
    option_rule{"--tty", false, effect::allowed},
    option_rule{"--rm", false, effect::allowed},
    option_rule{"--init", false, effect::allowed},
    option_rule{"--read-only", false, effect::allowed},
    option_rule{"-P", false, effect::allowed},
    option_rule{"--publish-all", false, effect::allowed},
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-e", true, effect::allowed, reading::container_env},
    option_rule{"--env", true, effect::allowed, reading::container_env},
    option_rule{"-p", true, effect::allowed, reading::port},
    option_rule{"--publish", true, effect::allowed, reading::port},
    option_rule{"--expose", true, effect::allowed},
    option_rule{"-u", true, effect::allowed},
    option_rule{"--user", true, effect::allowed},
    option_rule{"-w", true, effect::allowed},
    option_rule{"--workdir", true, effect::allowed},
    option_rule{"--name", true, effect::allowed},
    option_rule{"-h", true, effect::allowed},
    option_rule{"--hostname", true, effect::allowed},
    option_rule{"--tmpfs", true, effect::allowed},
    option_rule{"-m", true, effect::allowed},
    option_rule{"--memory", true, effect::allowed},
    option_rule{"--cpus", true, effect::allowed},
    option_rule{"--shm-size", true, effect::allowed},
    option_rule{"--pull", true, effect::allowed},
    option_rule{"--platform", true, effect::allowed},
    option_rule{"-l", true, effect::allowed},
    option_rule{"--label", true, effect::allowed},
    option_rule{"--add-host", true, effect::allowed},
    option_rule{"--dns", true, effect::allowed},
    option_rule{"--ulimit", true, effect::allowed},
    option_rule{"--pids-limit", true, effect::allowed},
    option_rule{"--stop-signal", true, effect::allowed},
    option_rule{"--stop-timeout", true, effect::allowed},
    option_rule{"--group-add", true, effect::allowed},
    option_rule{"-v", true, effect::allowed, reading::volume},
    option_rule{"--volume", true, effect::allowed, reading::volume},
    option_rule{"--mount", true, effect::allowed, reading::mount},
    option_rule{"--network", true, effect::allowed, reading::network},
    option_rule{"--net", true, effect::allowed, reading::network},
    option_rule{"--pid", true, effect::allowed, reading::namespace_mode},
    option_rule{"--ipc", true, effect::allowed, reading::namespace_mode},
    option_rule{"--uts", true, effect::allowed, reading::namespace_mode},
    option_rule{"--userns", true, effect::allowed, reading::namespace_mode},
    option_rule{"--cgroupns", true, effect::allowed, reading::namespace_mode},
    option_rule{"--entrypoint", true, effect::changes_program},
    option_rule{"--runtime", true, effect::changes_program},
    option_rule{"--privileged", false, effect::host_access},
    option_rule{"--cap-add", true, effect::host_access},
    option_rule{"--device", true, effect::host_access},
    option_rule{"--device-cgroup-rule", true, effect::host_access},
    option_rule{"--gpus", true, effect::host_access},
    option_rule{"--security-opt", true, effect::host_access},
    option_rule{"--volumes-from", true, effect::host_access},
    option_rule{"--env-file", true, effect::host_access},
    option_rule{"--label-file", true, effect::host_access},
    option_rule{"--cidfile", true, effect::host_access},
    option_rule{"--cgroup-parent", true, effect::host_access},
    option_rule{"--sysctl", true, effect::host_access},
};

// npx (npm exec). npm reads ANY --key=value as configuration (--call, --script-shell, --userconfig, --registry,
// --node-options...), and abbreviations of them, so only these exact spellings are accepted.
constexpr std::array npx_rules = {
    option_rule{"-y", false, effect::allowed},
    option_rule{"--yes", false, effect::allowed},
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"--silent", false, effect::allowed},
    option_rule{"--prefer-offline", false, effect::allowed},
    option_rule{"--prefer-online", false, effect::allowed},
    option_rule{"--offline", false, effect::allowed},
    option_rule{"--no-fund", false, effect::allowed},
    option_rule{"--no-audit", false, effect::allowed},
    option_rule{"--no-update-notifier", false, effect::allowed},
    option_rule{"--loglevel", true, effect::allowed},
    option_rule{"--call", true, effect::changes_program},
    option_rule{"-c", true, effect::changes_program},
    option_rule{"--package", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--node-options", true, effect::changes_program},
    option_rule{"--script-shell", true, effect::changes_program},
    option_rule{"--shell", true, effect::changes_program},
    option_rule{"--userconfig", true, effect::changes_program},
    option_rule{"--globalconfig", true, effect::changes_program},
    option_rule{"--registry", true, effect::changes_program},
    option_rule{"--prefix", true, effect::changes_program},
    option_rule{"--workspace", true, effect::changes_program},
    option_rule{"-w", true, effect::changes_program},
    option_rule{"--cache", true, effect::changes_program},
};

// bunx and bun x.
constexpr std::array bun_rules = {
    option_rule{"--bun", false, effect::allowed},
    option_rule{"--silent", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--no-install", false, effect::allowed},
    option_rule{"--package", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--config", true, effect::changes_program},
    option_rule{"-c", true, effect::changes_program},
    option_rule{"--cwd", true, effect::changes_program},
};

// uvx (uv tool run).
constexpr std::array uvx_rules = {
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-v", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--offline", false, effect::allowed},
    option_rule{"--no-progress", false, effect::allowed},
    option_rule{"--isolated", false, effect::allowed},
    option_rule{"--refresh", false, effect::allowed},
    option_rule{"-n", false, effect::allowed},
    option_rule{"--no-cache", false, effect::allowed},
    option_rule{"--native-tls", false, effect::allowed},
    option_rule{"--from", true, effect::changes_program},
    option_rule{"--with", true, effect::changes_program},
    option_rule{"-w", true, effect::changes_program},
    option_rule{"--with-editable", true, effect::changes_program},
    option_rule{"--with-requirements", true, effect::changes_program},
    option_rule{"--index", true, effect::changes_program},
    option_rule{"--index-url", true, effect::changes_program},
    option_rule{"-i", true, effect::changes_program},
    option_rule{"--extra-index-url", true, effect::changes_program},
    option_rule{"--default-index", true, effect::changes_program},
    option_rule{"--find-links", true, effect::changes_program},
    option_rule{"-f", true, effect::changes_program},
    option_rule{"--python", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--config-file", true, effect::changes_program},
    option_rule{"--directory", true, effect::changes_program},
    option_rule{"--project", true, effect::changes_program},
    option_rule{"--constraints", true, effect::changes_program},
    option_rule{"--overrides", true, effect::changes_program},
    option_rule{"--env-file", true, effect::host_access},
};

// pipx run.
constexpr std::array pipx_rules = {
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-v", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--no-cache", false, effect::allowed},
    option_rule{"--spec", true, effect::changes_program},
    option_rule{"--pip-args", true, effect::changes_program},
    option_rule{"--index-url", true, effect::changes_program},
    option_rule{"-i", true, effect::changes_program},
    option_rule{"--python", true, effect::changes_program},
    option_rule{"--editable", false, effect::changes_program},
    option_rule{"-e", false, effect::changes_program},
    option_rule{"--path", false, effect::changes_program},
    option_rule{"--preinstall", true, effect::changes_program},
    option_rule{"--system-site-packages", false, effect::host_access},
};

// dnx (dotnet tool exec).
constexpr std::array dnx_rules = {
    option_rule{"--yes", false, effect::allowed},
    option_rule{"-y", false, effect::allowed},
    option_rule{"--prerelease", false, effect::allowed},
    option_rule{"--allow-roll-forward", false, effect::allowed},
    option_rule{"-v", true, effect::allowed},
    option_rule{"--verbosity", true, effect::allowed},
    option_rule{"--source", true, effect::changes_program},
    option_rule{"--add-source", true, effect::changes_program},
    option_rule{"--configfile", true, effect::changes_program},
    option_rule{"--framework", true, effect::changes_program},
};

}  // namespace

std::optional<runner_grammar> grammar_of(std::string_view runner)
{
    if (runner == "docker" || runner == "podman")
        return runner_grammar{container_rules, true, "is not among the container options mcpreg accepts from an entry"};
    if (runner == "npx")
        return runner_grammar{npx_rules, false,
                              "is not among the npx options mcpreg accepts (npm reads any option "
                              "as configuration)"};
    if (runner == "bunx" || runner == "bun")
        return runner_grammar{bun_rules, false, "is not among the bunx options mcpreg accepts"};
    if (runner == "uvx") return runner_grammar{uvx_rules, false, "is not among the uvx options mcpreg accepts"};
    if (runner == "pipx") return runner_grammar{pipx_rules, false, "is not among the pipx options mcpreg accepts"};
    if (runner == "dnx") return runner_grammar{dnx_rules, false, "is not among the dnx options mcpreg accepts"};
    return std::nullopt;
}

const option_rule* find_rule(const runner_grammar& g, std::string_view name)
{
    for (const auto& r : g.rules)
        if (r.name == name) return &r;
    return nullptr;
}

}  // namespace mcpreg::resolve::detail
