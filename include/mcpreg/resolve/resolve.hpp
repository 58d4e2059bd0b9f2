// Turning a registry entry into something a host can run or connect to: an argv vector plus an env map for
// a package, a URL plus headers for a remote; or the inputs still needed. Pure: no I/O, no processes.
// The conventions are the product's (shared/resolve.md); the disputed points are options.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/server.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::resolve {

/// Which way of running the server to resolve. Empty: the default policy (see options).
struct selection {
    std::optional<std::size_t> package_index;
    std::optional<std::string> package_type;  ///< "npm", "pypi", "oci", "nuget", "mcpb", "cargo"
    std::optional<std::size_t> remote_index;
    bool remote = false;  ///< the first remote

    /// Parses the tool's `--package` value: a registry type, a package index, "remote" or "remote:N".
    MCPREG_API static result<selection> parse(std::string_view text);
};

/// Values the user supplied, by input name: a named argument's flag (`--port`), a positional argument's
/// `valueHint`, an environment variable or header name, or a `{variable}` name. A repeated argument takes
/// every value of its name, in order; anything else takes the first.
using input_values = std::map<std::string, std::vector<std::string>, std::less<>>;

struct options {
    /// The default policy prefers a remote when the entry has one and this is true.
    bool allow_remotes = true;
    /// The default policy's order of package types; types not listed come after, in document order.
    std::vector<std::string> preference = {"npm", "pypi", "oci", "nuget", "cargo", "mcpb"};
    /// Whether a runner (npx, uvx, docker...) exists here: the default policy skips packages whose runner
    /// is missing. Unset: every runner counts as available.
    std::function<bool(std::string_view runner)> runner_available;
    /// Replaces a runner by another ("docker" -> "podman", "npx" -> "bunx").
    std::map<std::string, std::string, std::less<>> runner_overrides;
    /// Named arguments as one `name=value` token instead of two.
    bool joined_named_arguments = false;
    /// PyPI through `uvx --from <id>==<version> <id>` instead of `uvx <id>@<version>`.
    bool pypi_from_form = false;
};

/// An input the user must still supply (or supplied wrongly).
struct missing_input {
    std::string name;     ///< the key to supply it under (see input_values)
    std::string used_in;  ///< where: "packageArguments[0]", "environmentVariables[1]", "remotes[0].url"...
    std::optional<std::string> description;
    bool is_required = true;
    bool is_secret = false;
    std::optional<std::string> default_value;
    std::optional<std::vector<std::string>> choices;
    std::string format = "string";
    std::string problem;  ///< "required", or why the supplied value was refused
};

/// What to run (a package) or connect to (a remote).
struct launch_spec {
    std::string transport;  ///< "stdio", "streamable-http" or "sse"
    std::string command;    ///< empty for a remote
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::optional<std::string> cwd;
    std::optional<std::string> url;
    std::map<std::string, std::string> headers;
    std::vector<std::string> notes;        ///< steps the host must take first (e.g. cargo install)
    std::vector<std::string> warnings;     ///< conventions applied where the entry was unclear
    std::set<std::string> secret_env;      ///< names in `env` whose values are secrets
    std::set<std::string> secret_headers;  ///< names in `headers` whose values are secrets
    std::string source;                    ///< "packages[1]" or "remotes[0]"

    /// command followed by args.
    std::vector<std::string> argv() const;
};

/// A launch spec, or the inputs it still needs (then `spec` is as far as it got and must not be run).
struct resolution {
    launch_spec spec;
    std::vector<missing_input> missing;
    bool complete() const noexcept { return missing.empty(); }
};

/// Resolves one way of running `server`. Errors (errc::invalid_argument) when the selection names nothing, the
/// entry has neither packages nor remotes, or the package cannot be launched from the registry data alone
/// (an unknown registry type; an MCPB bundle, which needs resolve_mcpb after it is fetched).
MCPREG_API result<resolution> resolve(const model::server& server, const selection& which = {},
                                      const input_values& inputs = {}, const options& opts = {});

/// One package or remote of an entry.
struct choice {
    bool remote = false;
    std::size_t index = 0;

    /// "packages[i]" or "remotes[i]", as launch_spec::source names it.
    std::string source() const { return (remote ? "remotes[" : "packages[") + std::to_string(index) + "]"; }
};

/// The package or remote `which` names, or the one the default policy picks.
MCPREG_API result<choice> choose(const model::server& server, const selection& which, const options& opts);

/// A problem that would make an entry hard or impossible to launch.
struct lint_issue {
    std::string path;  ///< JSON pointer, e.g. "/packages/0/packageArguments/1/name"
    std::string rule;  ///< "named-argument-without-dashes", "oci-reference-with-scheme", "mcpb-without-hash",
                       ///< "undefined-variable", "identifier-version-mismatch"
    std::string message;
};
/// What would make `server` hard to launch (every package and remote), without resolving it.
MCPREG_API std::vector<lint_issue> lint(const model::server& server);

/// argv for display in a POSIX shell / PowerShell (never for execution: nothing is launched through a shell).
MCPREG_API std::string posix_command_line(const std::vector<std::string>& argv);
MCPREG_API std::string powershell_command_line(const std::vector<std::string>& argv);

/// The client configuration formats.
enum class config_format { vscode, claude_desktop, cursor, generic };

/// A host configuration for one resolved server, as JSON text: VS Code `mcp.json` (`servers` and `inputs`,
/// secrets as `${input:NAME}` password prompts), Claude Desktop and Cursor (`mcpServers`, secrets as
/// `${env:NAME}`), or the generic launch spec (secrets masked). Secret values are never written.
MCPREG_API std::string client_config(const launch_spec& spec, std::string_view server_name, config_format format);

}  // namespace mcpreg::resolve
