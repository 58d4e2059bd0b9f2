// A registry entry (any JSON) and inputs (KEY=VALUE lines after a NUL byte) into resolution and rendering.
// Property: whatever the entry says, the command is the package type's runner or the crate's own binary.
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include <cstdint>
#include <cstdlib>
#include <set>

namespace {

bool allowed_command(const mcpreg::model::server& server, const mcpreg::resolve::launch_spec& spec)
{
    static const std::set<std::string> runners = {"npx", "bunx", "bun", "uvx", "pipx", "docker", "podman", "dnx"};
    if (spec.command.empty()) return spec.url.has_value();  // a remote
    if (runners.count(spec.command)) return true;
    // cargo: the crate's binary, named after the crate.
    if (server.packages)
        for (const auto& p : *server.packages)
            if (p.kind() == mcpreg::model::registry_kind::cargo && p.identifier == spec.command) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg;
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto nul = all.find('\0');
    auto server = model::parse_server(all.substr(0, nul));
    if (!server) return 0;
    resolve::input_values inputs;
    if (nul != std::string_view::npos) {
        std::string_view rest = all.substr(nul + 1);
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            const auto line = rest.substr(0, end);
            if (const auto eq = line.find('='); eq != std::string_view::npos)
                inputs[std::string(line.substr(0, eq))].emplace_back(line.substr(eq + 1));
            if (end == std::string_view::npos) break;
            rest.remove_prefix(end + 1);
        }
    }
    (void)resolve::lint(*server);
    std::vector<resolve::selection> picks = {{}};
    for (const char* text : {"npm", "pypi", "oci", "nuget", "cargo", "remote", "0", "1", "remote:1"})
        if (auto pick = resolve::selection::parse(text)) picks.push_back(*pick);
    for (const auto& which : picks) {
        resolve::options opts;
        opts.joined_named_arguments = which.package_type.has_value();
        opts.pypi_from_form = which.remote;
        auto resolved = resolve::resolve(*server, which, inputs, opts);
        if (!resolved) continue;
        const auto& spec = resolved->spec;
        if (!allowed_command(*server, spec)) std::abort();
        (void)resolve::posix_command_line(spec.argv());
        (void)resolve::powershell_command_line(spec.argv());
        for (auto format : {resolve::config_format::vscode, resolve::config_format::claude_desktop,
                            resolve::config_format::cursor, resolve::config_format::generic})
            if (model::parse_json(resolve::client_config(spec, server->name, format)).has_value() == false)
                std::abort();  // every configuration is valid JSON
    }
    return 0;
}
