// validate(): the JSON Schema pass plus the official registry's semantic rules
// (upstream internal/validators/validators.go, utils.go and schema.go), with its reference ids.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>
#include <mcpreg/model/validate.hpp>

#include "json_pointer.hpp"
#include "json_schema.hpp"
#include "url.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace mcpreg::model {
namespace json = boost::json;
namespace {

constexpr std::size_t max_publisher_meta_bytes = 4096;

bool is_alnum(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string quoted(std::string_view s)
{
    constexpr std::size_t shown = 120;
    std::string text(s.substr(0, shown));
    if (s.size() > shown) text += "...";
    return text;
}

// The `{name}` placeholders of a template, in order.
std::vector<std::string> template_variables(std::string_view text)
{
    std::vector<std::string> names;
    for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) break;
        auto name = text.substr(open + 1, close - open - 1);
        if (!name.empty() && name.find('{') == std::string_view::npos) names.emplace_back(name);
    }
    return names;
}

// Upstream's IsValidTemplatedURL substitution: well-known names get plausible values, `:{x}` before a slash
// or the end becomes a port, anything else becomes "placeholder".
std::string substitute_placeholders(std::string_view url)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < url.size()) {
        auto open = url.find('{', pos);
        auto close = open == std::string_view::npos ? std::string_view::npos : url.find('}', open + 1);
        if (close == std::string_view::npos) {
            out.append(url.substr(pos));
            break;
        }
        out.append(url.substr(pos, open - pos));
        auto name = url.substr(open + 1, close - open - 1);
        const bool port_position =
            open > 0 && url[open - 1] == ':' && (close + 1 == url.size() || url[close + 1] == '/');
        if (name == "host") out += "example.com";
        else if (name == "port" || port_position) out += "8080";
        else if (name == "path") out += "api";
        else if (name == "protocol" || name == "scheme") out += "http";
        else out += "placeholder";
        pos = close + 1;
    }
    return out;
}

bool is_valid_server_name(std::string_view name, std::string& why)
{
    if (name.empty()) {
        why = "server name is required";
        return false;
    }
    auto slash = name.find('/');
    if (slash == std::string_view::npos) {
        why = "server name must be in format 'dns-namespace/name'";
        return false;
    }
    if (name.find('/', slash + 1) != std::string_view::npos) {
        why = "server name cannot contain multiple slashes";
        return false;
    }
    auto part_ok = [](std::string_view part, std::string_view inner) {
        if (part.size() < 2 || !is_alnum(part.front()) || !is_alnum(part.back())) return false;
        return std::all_of(part.begin(), part.end(),
                           [&](char c) { return is_alnum(c) || inner.find(c) != std::string_view::npos; });
    };
    if (!part_ok(name.substr(0, slash), ".-") || !part_ok(name.substr(slash + 1), "._-")) {
        why = "server name must be in format 'dns-namespace/name' with alphanumeric start and end (namespace: "
              "letters, digits, '.', '-'; name: letters, digits, '.', '_', '-')";
        return false;
    }
    return true;
}

// ^https?://(www\.)?<host>/[\w.-]+/[\w.-]+/?$
bool is_forge_repository_url(std::string_view url, std::string_view host)
{
    if (url.starts_with("https://")) url.remove_prefix(8);
    else if (url.starts_with("http://")) url.remove_prefix(7);
    else return false;
    if (url.starts_with("www.")) url.remove_prefix(4);
    if (!url.starts_with(host) || url.size() <= host.size() || url[host.size()] != '/') return false;
    url.remove_prefix(host.size() + 1);
    if (url.ends_with("/")) url.remove_suffix(1);
    auto slash = url.find('/');
    if (slash == std::string_view::npos) return false;
    auto word = [](std::string_view s) {
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
    };
    return word(url.substr(0, slash)) && word(url.substr(slash + 1));
}

bool is_clean_subfolder(std::string_view path)
{
    if (path.empty() || path.front() == '/' || path.back() == '/') return false;
    if (!std::all_of(path.begin(), path.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/'; }))
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        auto segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (segment.empty() || segment == "." || segment == "..") return false;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return true;
}

class semantic_checker {
public:
    semantic_checker(std::vector<validation_issue>& issues, bool official_registry)
        : issues_(issues), official_registry_(official_registry)
    {
    }

    void check(const server& s)
    {
        std::string why;
        if (!is_valid_server_name(s.name, why)) add("invalid-server-name", "/name", why + ": " + quoted(s.name));
        check_version(s.version, "/version");
        if (s.repository && ((s.repository->url && !s.repository->url->empty()) ||
                             (s.repository->source && !s.repository->source->empty())))
            check_repository(*s.repository);
        if (s.website_url) check_website_url(*s.website_url);
        if (s.title &&
            std::all_of(s.title->begin(), s.title->end(),
                        [](char c) { return std::isspace(static_cast<unsigned char>(c)); }) &&
            !s.title->empty())
            add("title-whitespace-only", "/title", "title cannot be only whitespace");
        if (s.icons)
            for (std::size_t i = 0; i < s.icons->size(); ++i) check_icon((*s.icons)[i], "/icons/" + std::to_string(i));
        if (s.packages)
            for (std::size_t i = 0; i < s.packages->size(); ++i)
                check_package((*s.packages)[i], "/packages/" + std::to_string(i));
        if (s.remotes)
            for (std::size_t i = 0; i < s.remotes->size(); ++i)
                check_remote((*s.remotes)[i], "/remotes/" + std::to_string(i));
    }

private:
    void add(std::string rule, std::string path, std::string message, severity level = severity::error)
    {
        issues_.push_back({std::move(rule), level, std::move(path), std::move(message)});
    }

    void check_version(std::string_view version, const std::string& path)
    {
        if (version == "latest")
            add("reserved-version-string", path, "version string 'latest' is reserved and cannot be used");
        else if (looks_like_version_range(version))
            add("version-looks-like-range", path,
                "version must be a specific version, not a range: \"" + quoted(version) + "\"");
    }

    void check_repository(const repository& repo)
    {
        const std::string url = repo.url.value_or("");
        const std::string source = repo.source.value_or("");
        const bool ok = (source == "github" && is_forge_repository_url(url, "github.com")) ||
                        (source == "gitlab" && is_forge_repository_url(url, "gitlab.com"));
        if (!ok) add("invalid-repository-url", "/repository/url", "invalid repository URL: " + quoted(url));
        if (repo.subfolder && !is_clean_subfolder(*repo.subfolder))
            add("invalid-subfolder-path", "/repository/subfolder",
                "invalid subfolder path: " + quoted(*repo.subfolder));
    }

    void check_website_url(const std::string& url)
    {
        const std::string path = "/websiteUrl";
        auto parsed = detail::parse_url(url);
        if (!parsed.ok) return add("invalid-website-url", path, "invalid websiteUrl: " + quoted(url));
        if (parsed.scheme.empty())
            return add("website-url-must-be-absolute", path,
                       "websiteUrl must be absolute (include scheme): " + quoted(url));
        if (parsed.scheme != "https")
            return add("website-url-invalid-scheme", path, "websiteUrl must use https scheme: " + quoted(url));
        if (url.find_first_of("\"'<> \t\r\n") != std::string::npos)
            add("website-url-invalid-characters", path, "websiteUrl contains an invalid character: " + quoted(url));
    }

    void check_icon(const icon& i, const std::string& path)
    {
        auto parsed = detail::parse_url(i.src);
        if (!parsed.ok) return add("icon-src-invalid-url", path + "/src", "invalid icon src URL: " + quoted(i.src));
        if (parsed.scheme.empty())
            return add("icon-src-not-absolute", path + "/src", "icon src must be an absolute URL: " + quoted(i.src));
        if (parsed.scheme != "https")
            add("icon-src-invalid-scheme", path + "/src", "icon src must use https scheme: " + quoted(i.src));
    }

    void check_arguments(const std::optional<std::vector<argument>>& arguments, const std::string& path)
    {
        if (!arguments) return;
        for (std::size_t i = 0; i < arguments->size(); ++i) {
            const auto& arg = (*arguments)[i];
            if (!arg.is_named()) continue;  // positional arguments are inserted verbatim
            const auto arg_path = path + "/" + std::to_string(i);
            const std::string name = arg.name.value_or("");
            if (name.empty()) {
                add("named-argument-name-required", arg_path + "/name", "named argument name is required");
                continue;
            }
            if (name.find_first_of("<> $") != std::string::npos) {
                add("invalid-named-argument-name", arg_path + "/name",
                    "invalid named argument name: " + quoted(name) +
                        " (it must be the flag alone, without '<', '>', "
                        "spaces or '$')");
                continue;
            }
            if (arg.value && arg.value->starts_with(name))
                add("argument-value-starts-with-name", arg_path + "/value",
                    "argument value " + quoted(*arg.value) + " must not start with the argument name " + quoted(name));
            if (arg.default_value && arg.default_value->starts_with(name))
                add("argument-default-starts-with-name", arg_path + "/default",
                    "argument default " + quoted(*arg.default_value) + " must not start with the argument name " +
                        quoted(name));
        }
    }

    void check_templated_url(const std::string& url, const std::set<std::string>& available, const std::string& path,
                             bool remote)
    {
        const auto concrete = substitute_placeholders(url);
        auto parsed = detail::parse_url(concrete);
        const bool http = parsed.ok && (parsed.scheme == "http" || parsed.scheme == "https") && !parsed.host.empty();
        if (remote) {
            const bool local =
                parsed.host == "localhost" || parsed.host == "127.0.0.1" || parsed.host.ends_with(".localhost");
            if (!http || local || parsed.scheme != "https")
                return add("invalid-remote-url", path,
                           "invalid remote URL: " + quoted(url) + " (an https URL of a public host is required)");
        }
        else if (!http) {
            return add("invalid-templated-url", path, "invalid URL: " + quoted(url));
        }
        std::string undefined;
        for (const auto& name : template_variables(url))
            if (!available.contains(name)) undefined += (undefined.empty() ? "{" : ", {") + name + "}";
        if (!undefined.empty())
            add("invalid-templated-url", path,
                "template variables in URL " + quoted(url) + " are not defined: " + undefined);
    }

    void check_package(const package& p, const std::string& path)
    {
        if (p.identifier.find(' ') != std::string::npos)
            add("package-name-has-spaces", path + "/identifier",
                "package name cannot contain spaces: " + quoted(p.identifier));
        if (p.version && !p.version->empty()) check_version(*p.version, path + "/version");
        if (official_registry_) check_package_type(p, path);
        check_arguments(p.runtime_arguments, path + "/runtimeArguments");
        check_arguments(p.package_arguments, path + "/packageArguments");
        if (!p.transport) return;  // the schema pass reports the missing transport
        const auto& t = *p.transport;
        const auto transport_path = path + "/transport";
        if (t.type == "stdio") {
            if (t.url && !t.url->empty())
                add("stdio-transport-url-not-empty", transport_path + "/url",
                    "url must be empty for stdio transport type");
        }
        else if (t.type == "streamable-http" || t.type == "sse") {
            if (!t.url || t.url->empty())
                return add("streamable-transport-url-required", transport_path + "/url",
                           "url is required for " + t.type + " transport type");
            std::set<std::string> available;
            auto collect = [&](const std::optional<std::vector<argument>>& args) {
                if (!args) return;
                for (const auto& a : *args) {
                    if (a.value_hint) available.insert(*a.value_hint);
                    if (a.name) available.insert(*a.name);
                }
            };
            collect(p.runtime_arguments);
            collect(p.package_arguments);
            if (p.environment_variables)
                for (const auto& env : *p.environment_variables) available.insert(env.name);
            check_templated_url(*t.url, available, transport_path + "/url", false);
        }
        else {
            add("unsupported-transport-type", transport_path + "/type",
                "unsupported transport type: " + quoted(t.type));
        }
    }

    void check_remote(const transport& r, const std::string& path)
    {
        if (r.type != "streamable-http" && r.type != "sse")
            return add("unsupported-remote-transport-type", path + "/type",
                       "unsupported transport type for remotes: " + quoted(r.type));
        if (!r.url || r.url->empty())
            return add("remote-transport-url-required", path + "/url", "url is required for remote transports");
        std::set<std::string> available;
        if (r.variables)
            for (const auto& [name, _] : *r.variables) available.insert(name);
        check_templated_url(*r.url, available, path + "/url", true);
    }

    // The official registry's field rules per package type (upstream internal/validators/registries/*.go,
    // the parts that need no network).
    void check_package_type(const package& p, const std::string& path)
    {
        const auto kind = p.kind();
        const std::string base_url = p.registry_base_url.value_or("");
        const bool has_version = p.version && !p.version->empty();
        const bool has_sha = p.file_sha256 && !p.file_sha256->empty();
        auto type_label = std::string(to_string(kind));
        switch (kind) {
        case registry_kind::npm:
        case registry_kind::pypi:
        case registry_kind::nuget:
        case registry_kind::cargo: {
            const std::string_view canonical = kind == registry_kind::npm     ? "https://registry.npmjs.org"
                                               : kind == registry_kind::pypi  ? "https://pypi.org"
                                               : kind == registry_kind::nuget ? "https://api.nuget.org/v3/index.json"
                                                                              : "https://crates.io";
            if (!base_url.empty() && base_url != canonical)
                add("package-registry-base-url-mismatch", path + "/registryBaseUrl",
                    "registry type and base URL do not match: '" + quoted(base_url) +
                        "' is not valid for registry type '" + type_label + "'. Expected: " + std::string(canonical));
            if (!has_version)
                add("package-version-required", path + "/version",
                    "package version is required for " + type_label + " packages");
            if (has_sha)
                add("package-file-sha256-forbidden", path + "/fileSha256",
                    type_label + " packages must not have 'fileSha256' field");
            return;
        }
        case registry_kind::oci: {
            if (!base_url.empty())
                add("package-registry-base-url-forbidden", path + "/registryBaseUrl",
                    "OCI packages must not have 'registryBaseUrl' field");
            if (has_version)
                add("package-version-forbidden", path + "/version",
                    "OCI packages must not have 'version' field; put the tag or digest in the identifier");
            if (has_sha)
                add("package-file-sha256-forbidden", path + "/fileSha256",
                    "OCI packages must not have 'fileSha256' field");
            auto first = std::string_view(p.identifier).substr(0, p.identifier.find('/'));
            const bool names_host = p.identifier.find('/') != std::string::npos &&
                                    (first.find('.') != std::string_view::npos ||
                                     first.find(':') != std::string_view::npos || first == "localhost");
            const std::string host = names_host ? std::string(first) : "docker.io";
            static constexpr std::string_view allowed[] = {
                "docker.io", "registry-1.docker.io", "index.docker.io", "ghcr.io", "quay.io", "mcr.microsoft.com"};
            const bool ok = std::find(std::begin(allowed), std::end(allowed), host) != std::end(allowed) ||
                            host.ends_with(".pkg.dev") || host.ends_with(".azurecr.io");
            if (!ok) add("unsupported-oci-registry", path + "/identifier", "unsupported OCI registry: " + quoted(host));
            return;
        }
        case registry_kind::mcpb: {
            if (!has_sha)
                return add("package-file-sha256-required", path + "/fileSha256",
                           "MCPB packages must include a fileSha256 hash for integrity verification");
            if (p.identifier.empty())
                return add("package-identifier-required", path + "/identifier",
                           "package identifier is required for MCPB packages");
            if (!base_url.empty())
                add("package-registry-base-url-forbidden", path + "/registryBaseUrl",
                    "MCPB packages must not have 'registryBaseUrl' field");
            check_mcpb_url(p.identifier, path + "/identifier");
            return;
        }
        case registry_kind::unknown:
            add("unsupported-registry-type", path + "/registryType",
                "unsupported registry type: " + quoted(p.registry_type));
            return;
        }
    }

    void check_mcpb_url(const std::string& url, const std::string& path)
    {
        auto parsed = detail::parse_url(url);
        auto segments = [&] {
            std::vector<std::string_view> parts;
            auto rest = std::string_view(url);
            rest = rest.substr(rest.find("//") + 2);
            rest = rest.substr(std::min(rest.size(), rest.find('/')));
            rest = rest.substr(0, rest.find_first_of("?#"));
            for (std::size_t start = 1; start <= rest.size();) {
                auto end = rest.find('/', start);
                parts.push_back(
                    rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
                if (end == std::string_view::npos) break;
                start = end + 1;
            }
            return parts;
        };
        const bool github = parsed.host == "github.com" || parsed.host == "www.github.com";
        const bool gitlab = parsed.host == "gitlab.com" || parsed.host == "www.gitlab.com";
        bool path_ok = false;
        if (parsed.ok && parsed.scheme == "https" && (github || gitlab)) {
            auto parts = segments();
            auto nonempty = [](std::string_view s) { return !s.empty(); };
            if (github)
                path_ok = parts.size() == 6 && std::all_of(parts.begin(), parts.end(), nonempty) &&
                          parts[2] == "releases" && parts[3] == "download";
            else {
                auto dash = std::find(parts.begin(), parts.end(), "-");
                auto tail = dash == parts.end() ? 0 : static_cast<std::size_t>(parts.end() - dash);
                const bool project =
                    dash != parts.end() && dash - parts.begin() >= 2 && std::all_of(parts.begin(), dash, nonempty);
                path_ok = project &&
                          ((tail == 5 && dash[1] == "releases" && dash[3] == "downloads" && !dash[2].empty() &&
                            !dash[4].empty()) ||
                           (tail == 4 && dash[1] == "package_files" && dash[3] == "download" && !dash[2].empty() &&
                            std::all_of(dash[2].begin(), dash[2].end(), [](char c) { return c >= '0' && c <= '9'; })));
            }
        }
        if (!path_ok)
            return add("invalid-mcpb-url", path,
                       "invalid MCPB package URL: " + quoted(url) +
                           " (an https GitHub or GitLab release download URL is required)");
        std::string lower = url;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
        if (lower.find("mcp") == std::string::npos)
            add("mcpb-url-must-contain-mcp", path, "MCPB package URL must contain 'mcp': " + quoted(url));
    }

    std::vector<validation_issue>& issues_;
    bool official_registry_;
};

// The `$schema` and `_meta` rules. The official registry requires `$schema`, accepts only the dated
// releases it embeds, and allows only the publisher-provided `_meta` key.
void check_schema_and_meta(const json::object& document, const validate_options& options,
                           std::vector<validation_issue>& issues)
{
    const auto hard = options.official_registry ? severity::error : severity::warning;
    const auto* schema = document.if_contains("$schema");
    const std::string url = schema && schema->is_string() ? std::string(schema->get_string()) : std::string();
    if (url.empty()) {
        if (options.official_registry)
            issues.push_back({"schema-field-required", severity::error, "/$schema", "$schema field is required"});
    }
    else {
        const auto generation = generation_of_schema_url(url);
        const auto marker = url.find("/schemas/");
        if (generation == schema_generation::unknown ||
            (generation == schema_generation::draft && options.official_registry)) {
            if (marker == std::string::npos || url.find("/server.schema.json", marker) == std::string::npos)
                issues.push_back({"schema-version-extraction-error", hard, "/$schema",
                                  "cannot read a schema version from $schema " + quoted(url)});
            else {
                auto id_start = marker + 9;
                auto id = url.substr(id_start, url.find('/', id_start) - id_start);
                issues.push_back({"schema-version-not-available", hard, "/$schema",
                                  "schema version " + quoted(id) + " not found in embedded schemas" +
                                      (options.official_registry
                                           ? ""
                                           : "; validated against " + std::string(to_string(current_generation)))});
            }
        }
        else if (url != current_schema_url) {
            issues.push_back({"schema-version-deprecated",
                              options.official_registry ? severity::warning : severity::info, "/$schema",
                              "$schema names " + std::string(to_string(generation)) + "; the current schema is " +
                                  std::string(current_schema_url)});
        }
    }

    const auto* meta = document.if_contains("_meta");
    if (!meta || !meta->is_object()) return;
    for (const auto& [key, value] : meta->get_object()) {
        const auto path = "/_meta/" + detail::escape_pointer_token(key);
        if (key == publisher_meta_key) {
            auto size = json::serialize(value).size();
            if (size > max_publisher_meta_bytes)
                issues.push_back({"publisher-meta-too-large", hard, path,
                                  "_meta." + std::string(publisher_meta_key) + " extension exceeds 4KB limit (" +
                                      std::to_string(size) + " bytes)"});
        }
        else if (options.official_registry) {
            issues.push_back({"meta-unknown-key", severity::error, path,
                              "unexpected property: only \"" + std::string(publisher_meta_key) +
                                  "\" is accepted in server.json _meta"});
        }
    }
}

}  // namespace

std::string_view to_string(severity level) noexcept
{
    switch (level) {
    case severity::error: return "error";
    case severity::warning: return "warning";
    case severity::info: return "info";
    }
    return "error";
}

std::vector<validation_issue> validate(const json::value& server_json, const validate_options& options)
{
    std::vector<validation_issue> issues;
    if (!server_json.is_object()) {
        issues.push_back({"schema-type", severity::error, "", "a server.json document must be a JSON object"});
        return issues;
    }
    const auto& document = server_json.get_object();
    check_schema_and_meta(document, options, issues);

    if (options.check_schema) {
        auto generation = options.generation.value_or(schema_generation::unknown);
        if (!options.generation) {
            const auto* schema = document.if_contains("$schema");
            if (schema && schema->is_string()) generation = generation_of_schema_url(schema->get_string());
        }
        detail::validate_against_schema(server_json, generation, issues);
    }

    if (options.check_semantics) {
        auto typed = server_from_json(server_json);
        if (typed) {
            semantic_checker(issues, options.official_registry).check(*typed);
        }
        else {
            // Semantic rules need the typed document. When the schema pass has not already reported why it
            // cannot be read, say so.
            const bool schema_found_errors = std::any_of(issues.begin(), issues.end(), [](const validation_issue& i) {
                return i.severity == severity::error && i.rule.starts_with("schema-");
            });
            if (!schema_found_errors)
                issues.push_back({"invalid-document", severity::error, "", typed.error().diag.message});
        }
    }
    return issues;
}

std::vector<validation_issue> validate(const server& value, const validate_options& options)
{
    return validate(to_json(value), options);
}

bool is_valid(const std::vector<validation_issue>& issues) noexcept
{
    return std::none_of(issues.begin(), issues.end(),
                        [](const validation_issue& i) { return i.severity == severity::error; });
}

}  // namespace mcpreg::model
