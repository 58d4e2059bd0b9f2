// Turning a registry entry into something a host can run or connect to: an argv vector plus an env map for
// a package, a URL plus headers for a remote; or the inputs still needed. Pure: no I/O, no processes.
// The conventions and the runner policy are in docs/architecture.md and docs/security.md.
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
    /// What the runner policy refuses but the caller accepts anyway (docs/security.md, "Resolution"): a runtime
    /// option by name as the refusal names it ("--privileged", "--network", "-v", "--call"), "operands" for
    /// positional runtime arguments, "env:NAME" for an environment variable that steers the runner, or
    /// all_runner_options for everything.
    std::set<std::string, std::less<>> allowed_runner_options;
    /// Where `cargo install` puts binaries; a crate runs from there, never from PATH. Unset:
    /// $CARGO_INSTALL_ROOT/bin, else $CARGO_HOME/bin, else $HOME/.cargo/bin. Must be absolute.
    std::optional<std::string> cargo_bin_dir;
    /// The user's home directory, which bind mounts may not expose (nor its hidden files). Unset: $HOME.
    std::optional<std::string> home;
};

/// In options::allowed_runner_options: every runtime option, operand and runner variable is accepted.
inline constexpr std::string_view all_runner_options = "all";

/// A secret value. It cannot be printed by accident: no operator<<, no conversion to a string; reveal() is the
/// one way to read it, so every place that does is visible.
class secret {
public:
    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    friend bool operator==(const secret&, const secret&) = default;

private:
    std::string value_;
};

/// Where a secret value sits inside one produced value: the bytes [offset, offset + length).
struct secret_span {
    std::size_t offset = 0;
    std::size_t length = 0;
    std::string input;  ///< the input whose value it is (an input name, see input_values)
    bool operator==(const secret_span&) const = default;
};

/// Where the secret values of a launch spec sit, value by value. A value without an entry holds none.
struct secret_locations {
    std::map<std::size_t, std::vector<secret_span>> args;  ///< by index into launch_spec::args
    std::map<std::string, std::vector<secret_span>> env;   ///< by variable name
    std::map<std::string, std::vector<secret_span>> headers;
    std::vector<secret_span> url;
    bool empty() const noexcept { return args.empty() && env.empty() && headers.empty() && url.empty(); }
};

/// `value` with each secret span replaced by `********`, for display.
MCPREG_API std::string mask_secrets(std::string_view value, const std::vector<secret_span>& spans);

/// A mount a container would get.
struct mount {
    std::string host_path;  ///< an absolute host path ("bind"), a volume name ("volume"), or empty
    std::string container_path;
    bool read_only = false;
    std::string kind;  ///< "bind", "volume" or "tmpfs"
    bool operator==(const mount&) const = default;
};

/// What a launch will do, for a host to show before it runs anything. Secret values are masked here.
struct launch_report {
    std::string runner;   ///< the program started ("npx", "docker", a cargo binary's path); empty for a remote
    std::string package;  ///< what it runs: "id@version", the image reference, the bundle directory, or a URL
    std::optional<std::string> package_registry;  ///< registryBaseUrl given to the runner, when not the default
    std::vector<mount> mounts;
    std::vector<std::string> published_ports;  ///< container ports published on the host (`-p` values)
    std::optional<std::string> network;        ///< the container network (`--network`)
    std::vector<std::string> host_access;      ///< options granting host access, allowed by the caller's opt-in
    std::vector<std::string> overrides;  ///< options, operands or variables that change what runs, allowed likewise
    std::vector<std::string> env;        ///< names of the environment variables set (process and container)
    std::vector<std::string> runner_options;  ///< every runtime argument given to the runner
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
    std::set<std::string> secret_env;      ///< names in `env` whose values hold a secret
    std::set<std::string> secret_headers;  ///< names in `headers` whose values hold a secret
    std::string source;                    ///< "packages[1]" or "remotes[0]"
    secret_locations secrets;              ///< where secret values sit in args, env, headers and url
    launch_report report;                  ///< what the launch will do, for the host to show first

    /// command followed by args.
    std::vector<std::string> argv() const;
    /// argv() with secret values masked (mask_secrets), for display.
    std::vector<std::string> masked_argv() const;
};

/// A launch spec, or the inputs it still needs (then `spec` is as far as it got and must not be run).
struct resolution {
    launch_spec spec;
    std::vector<missing_input> missing;
    bool complete() const noexcept { return missing.empty(); }
};

/// Resolves one way of running `server`. Errors (errc::invalid_argument) when the selection names nothing, the
/// entry has neither packages nor remotes, the package cannot be launched from the registry data alone
/// (an unknown registry type; an MCPB bundle, which needs resolve_bundle after it is fetched), or the entry
/// asks for something the runner policy refuses (docs/security.md, "Resolution"): a runtime option that changes
/// the program or reaches into the host, an operand, a variable that steers the runner, a malformed name, URL
/// or value. The refusal names what was refused and the opt-in (options::allowed_runner_options) that allows it.
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
/// Control characters, C1 controls and bidirectional overrides are written as escapes ($'\n' in POSIX shells,
/// "`n" in PowerShell), so the line shows what each argument really holds.
MCPREG_API std::string posix_command_line(const std::vector<std::string>& argv);
MCPREG_API std::string powershell_command_line(const std::vector<std::string>& argv);

/// The client configuration formats.
enum class config_format { vscode, claude_desktop, cursor, generic };

struct render_options {
    /// Write secret values themselves instead of placeholders or masks: only on the user's explicit request.
    bool reveal_secrets = false;
};

/// Something the user must put into a configuration before it works: a value for a placeholder.
struct fill_in_step {
    std::string input;        ///< the input whose value is needed
    std::string placeholder;  ///< the text standing for it: "<API_KEY>" (Claude Desktop), "${env:API_KEY}" (Cursor)
    std::string location;     ///< JSON pointer of the value holding the placeholder, e.g. "/mcpServers/db/env/KEY"
    std::string instruction;  ///< what to do, one sentence
    secret value;             ///< the value that belongs there, for a host that writes it itself
};

struct rendered_config {
    std::string text;  ///< the JSON document
    std::vector<fill_in_step> fill_in;
};

/// A host configuration for one resolved server, as JSON text, and what the user must still fill in.
/// VS Code `mcp.json` (`servers` and `inputs`, secrets as `${input:ID}` password prompts); Cursor `mcp.json`
/// (`mcpServers`, secrets as `${env:NAME}`, which Cursor interpolates from its environment); Claude Desktop
/// (`mcpServers`, which interpolates nothing: secrets as visible `<NAME>` placeholders to replace by hand);
/// the generic launch spec (secrets masked, plus the launch report). Secret values are written only with
/// render_options::reveal_secrets. Errors (errc::invalid_argument): text from the registry or the inputs holding
/// `${`, which VS Code and Cursor would expand; an environment variable name that is not [A-Za-z_][A-Za-z0-9_]*;
/// a header name that is not an HTTP token; a server name whose last segment is not [A-Za-z0-9][A-Za-z0-9._-]*.
MCPREG_API result<rendered_config> render_config(const launch_spec& spec, std::string_view server_name,
                                                 config_format format, const render_options& options = {});

/// render_config's text with the default options, or an empty string where render_config refuses.
/// Kept for existing callers; prefer render_config, which says why and lists what to fill in.
MCPREG_API std::string client_config(const launch_spec& spec, std::string_view server_name, config_format format);

}  // namespace mcpreg::resolve
