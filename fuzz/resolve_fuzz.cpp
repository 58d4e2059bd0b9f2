// A registry entry (any JSON) and inputs (KEY=VALUE lines after a NUL byte) into resolution and rendering.
// Properties: whatever the entry says, the command is the package type's runner or the crate's binary where
// cargo installs it; every client configuration is JSON; and no `${` from registry or input text survives
// into a configuration: the only ones left are the placeholders the renderer wrote (VS Code `${input:ID}` for
// an ID it declared in `inputs`, Cursor `${env:NAME}` for a NAME it lists to fill in).
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <cstdlib>
#include <set>

namespace {

constexpr std::string_view cargo_bin = "/fuzz/cargo/bin";

bool allowed_command(const mcpreg::model::server& server, const mcpreg::resolve::launch_spec& spec)
{
    static const std::set<std::string> runners = {"npx", "bunx", "bun", "uvx", "pipx", "docker", "podman", "dnx"};
    if (spec.command.empty()) return spec.url.has_value();  // a remote
    if (runners.count(spec.command)) return true;
    // cargo: the crate's binary, where cargo install put it, never a name looked up on PATH.
    if (server.packages)
        for (const auto& p : *server.packages)
            if (p.kind() == mcpreg::model::registry_kind::cargo &&
                spec.command == std::string(cargo_bin) + "/" + p.identifier)
                return true;
    return false;
}

// Every string in `v` (keys included), with `check` applied.
template <class F>
void strings(const boost::json::value& v, const F& check)
{
    if (v.is_string()) check(std::string_view(v.get_string()));
    else if (v.is_array())
        for (const auto& item : v.get_array()) strings(item, check);
    else if (v.is_object())
        for (const auto& [key, item] : v.get_object()) {
            check(std::string_view(key));
            strings(item, check);
        }
}

// Each `${` in `text` opens one of the placeholders in `ours`.
bool only_ours(std::string_view text, std::string_view prefix, const std::set<std::string>& ours)
{
    for (auto at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 1)) {
        const auto close = text.find('}', at);
        if (close == std::string_view::npos || text.substr(at, prefix.size()) != prefix) return false;
        if (!ours.contains(std::string(text.substr(at + prefix.size(), close - at - prefix.size())))) return false;
    }
    return true;
}

void check_config(const mcpreg::resolve::launch_spec& spec, const std::string& name,
                  mcpreg::resolve::config_format format)
{
    using mcpreg::resolve::config_format;
    auto rendered = mcpreg::resolve::render_config(spec, name, format);
    if (!rendered) return;  // a refusal is an answer
    auto parsed = mcpreg::model::parse_json(rendered->text);
    if (!parsed) std::abort();  // every configuration is valid JSON
    std::set<std::string> ours;
    if (format == config_format::vscode) {
        if (const auto* inputs = parsed->as_object().if_contains("inputs"))
            for (const auto& input : inputs->as_array()) ours.emplace(input.as_object().at("id").as_string());
        strings(*parsed, [&](std::string_view s) {
            if (!only_ours(s, "${input:", ours)) std::abort();
        });
    }
    else if (format == config_format::cursor) {
        for (const auto& step : rendered->fill_in)
            ours.emplace(step.placeholder.substr(6, step.placeholder.size() - 7));  // ${env:NAME}
        strings(*parsed, [&](std::string_view s) {
            if (!only_ours(s, "${env:", ours)) std::abort();
        });
    }
    else if (format == config_format::claude_desktop) {
        strings(*parsed, [&](std::string_view s) {
            if (s.find("${") != std::string_view::npos) std::abort();
        });
    }
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
        opts.cargo_bin_dir = std::string(cargo_bin);
        opts.home = "/home/fuzz";
        // Half the picks accept everything the runner policy refuses, so rendering sees those specs too.
        if (which.package_index) opts.allowed_runner_options.emplace(resolve::all_runner_options);
        auto resolved = resolve::resolve(*server, which, inputs, opts);
        if (!resolved) continue;
        const auto& spec = resolved->spec;
        if (!allowed_command(*server, spec)) std::abort();
        (void)resolve::posix_command_line(spec.masked_argv());
        (void)resolve::powershell_command_line(spec.argv());
        for (auto format : {resolve::config_format::vscode, resolve::config_format::claude_desktop,
                            resolve::config_format::cursor, resolve::config_format::generic})
            check_config(spec, server->name, format);
    }
    return 0;
}
