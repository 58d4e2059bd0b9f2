// The environment variables that steer a runner: which ones each runner reads as configuration, and the check
// that refuses them in an entry without the caller's opt-in. docs/security.md lists them; keep the two in step.
#include "policy.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace mcpreg::resolve::detail {

namespace {

// Why `name`, set by the entry, would change what the runner runs or trusts; nullopt when it does not.
// `runner` is the program started ("npx", "docker", a cargo binary, a bundle's interpreter: "" for those).
std::optional<std::string_view> runner_variable(std::string_view runner, std::string_view name)
{
    struct rule {
        std::string_view name;
        bool prefix;
    };
    // Every program: the dynamic loader, the search path, a script non-interactive bash runs first, the TLS
    // trust of downloads. (ENV is read by interactive shells only, and many servers use it for their own.)
    static constexpr std::array common = {rule{"LD_", true},
                                          rule{"DYLD_", true},
                                          rule{"PATH", false},
                                          rule{"BASH_ENV", false},
                                          rule{"SSL_CERT_FILE", false},
                                          rule{"SSL_CERT_DIR", false},
                                          rule{"REQUESTS_CA_BUNDLE", false},
                                          rule{"CURL_CA_BUNDLE", false}};
    static constexpr std::array node = {rule{"NODE_OPTIONS", false},
                                        rule{"PREFIX", false},
                                        rule{"NODE_PATH", false},
                                        rule{"NODE_EXTRA_CA_CERTS", false},
                                        rule{"NODE_TLS_REJECT_UNAUTHORIZED", false},
                                        rule{"npm_config_", true},
                                        rule{"BUN_", true}};
    static constexpr std::array python = {rule{"UV_", true},
                                          rule{"XDG_CONFIG_HOME", false},
                                          rule{"PIP_", true},
                                          rule{"PIPX_", true},
                                          rule{"PYTHONPATH", false},
                                          rule{"PYTHONHOME", false},
                                          rule{"PYTHONSTARTUP", false},
                                          rule{"PYTHONUSERBASE", false}};
    static constexpr std::array containers = {
        rule{"DOCKER_", true},           rule{"CONTAINER_HOST", false}, rule{"CONTAINER_CONNECTION", false},
        rule{"CONTAINER_SSHKEY", false}, rule{"CONTAINERS_", true},     rule{"REGISTRY_AUTH_FILE", false}};
    static constexpr std::array dotnet = {rule{"NUGET_", true}, rule{"CORECLR_", true}, rule{"COMPlus_", true},
                                          rule{"DOTNET_", true}};
    // Harmless switches inside a refused family.
    static constexpr std::array<std::string_view, 4> harmless = {"DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE",
                                                                 "DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_ENVIRONMENT"};
    auto matches = [&](std::span<const rule> rules) {
        return std::any_of(rules.begin(), rules.end(), [&](const rule& r) {
            return r.prefix ? ascii_iequal_prefix(name, r.name)
                            : name.size() == r.name.size() && ascii_iequal_prefix(name, r.name);
        });
    };
    for (auto h : harmless)
        if (name == h) return std::nullopt;
    if (matches(common)) return "changes which programs and libraries load, or which servers downloads trust";
    const bool is_node = runner == "npx" || runner == "bunx" || runner == "bun" || runner.empty();
    const bool is_python = runner == "uvx" || runner == "pipx" || runner.empty();
    if (is_node && matches(node)) return "configures the Node.js or npm runner (code to preload, registry)";
    if (is_python && matches(python)) return "configures the Python runner (index, interpreter, code to preload)";
    if ((runner == "docker" || runner == "podman") && matches(containers))
        return "configures the container client (which daemon, which credentials)";
    if (runner == "dnx" && matches(dotnet)) return "configures the .NET runner (sources, startup hooks, profilers)";
    return std::nullopt;
}

}  // namespace

// Environment names must be names; those that steer the runner need the caller's opt-in (`env:NAME`).
std::optional<error> check_environment(std::string_view runner, const std::map<std::string, piece>& env,
                                       const allowed_set& allowed, launch_report& report,
                                       std::vector<std::string>& warnings)
{
    for (const auto& [name, value] : env) {
        if (!valid_env_name(name))
            return make_error(errc::invalid_argument,
                              "the environment variable name '" + name +
                                  "' is not a name ([A-Za-z_][A-Za-z0-9_]*); the entry is refused");
        if (auto why = runner_variable(runner, name)) {
            const std::string key = "env:" + name;
            if (!permitted(allowed, key))
                return refusal("the environment variable " + name + " " + std::string(*why), key);
            report.overrides.push_back(key);
            warnings.push_back("the environment variable " + name + " " + std::string(*why) +
                               "; allowed by the caller");
        }
        report.env.push_back(name);
    }
    return std::nullopt;
}

}  // namespace mcpreg::resolve::detail
