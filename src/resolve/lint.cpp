// The entry lint: what would make a registry entry hard or impossible to launch, found without resolving it.
#include <mcpreg/resolve/resolve.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpreg::resolve {

namespace {

// The `{name}` placeholders of a text.
std::vector<std::string> placeholders(std::string_view text)
{
    std::vector<std::string> out;
    for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.emplace_back(text.substr(open + 1, close - open - 1));
    }
    return out;
}

// A fixed `value` using a `{name}` that none of its own variables defines.
void lint_value(const model::input_with_variables& in, const std::string& path, std::vector<lint_issue>& issues)
{
    if (!in.value) return;
    for (const auto& name : placeholders(*in.value)) {
        const bool defined = in.variables && in.variables->contains(name);
        if (!defined)
            issues.push_back(
                {path + "/value", "undefined-variable", "{" + name + "} is used but no variable defines it"});
    }
}

// Names that `{x}` in a transport URL may refer to: arguments and environment variables of the package.
std::set<std::string> names_defined_by(const model::package& p)
{
    std::set<std::string> names;
    for (const auto* list : {&p.runtime_arguments, &p.package_arguments})
        if (*list)
            for (const auto& a : **list) {
                if (a.name) names.insert(*a.name);
                if (a.value_hint) names.insert(*a.value_hint);
            }
    if (p.environment_variables)
        for (const auto& e : *p.environment_variables) names.insert(e.name);
    return names;
}

// Named arguments without a leading dash, and argument values using undefined variables.
void lint_arguments(const model::package& p, const std::string& base, std::vector<lint_issue>& issues)
{
    for (auto [list, field] :
         {std::pair{&p.runtime_arguments, "runtimeArguments"}, std::pair{&p.package_arguments, "packageArguments"}}) {
        if (!*list) continue;
        for (std::size_t j = 0; j < (*list)->size(); ++j) {
            const auto& a = (**list)[j];
            const auto path = base + "/" + field + "/" + std::to_string(j);
            if (a.is_named() && a.name && !a.name->starts_with("-"))
                issues.push_back({path + "/name", "named-argument-without-dashes",
                                  "named argument '" + *a.name + "' has no leading dash"});
            lint_value(a, path, issues);
        }
    }
}

// A version inside the identifier that disagrees with `version`.
void lint_embedded_version(const model::package& p, const std::string& base, std::vector<lint_issue>& issues)
{
    if (!p.version || p.version->empty()) return;
    std::string_view id = p.identifier;
    std::optional<std::string_view> embedded;
    if (p.kind() == model::registry_kind::oci) {
        const auto slash = id.rfind('/');
        const auto colon = id.find(':', slash == std::string_view::npos ? 0 : slash);
        if (colon != std::string_view::npos && id.find('@') == std::string_view::npos) embedded = id.substr(colon + 1);
    }
    else if (p.kind() == model::registry_kind::npm) {
        const auto version_at = id.find('@', 1);
        if (version_at != std::string_view::npos) embedded = id.substr(version_at + 1);
    }
    if (embedded && *embedded != *p.version && *embedded != "latest")
        issues.push_back({base + "/version", "identifier-version-mismatch",
                          "the identifier says " + std::string(*embedded) + ", version says " + *p.version});
}

// `base` is the package's JSON pointer ("/packages/0").
void lint_package(const model::package& p, const std::string& base, std::vector<lint_issue>& issues)
{
    const auto names = names_defined_by(p);
    lint_arguments(p, base, issues);
    if (p.environment_variables)
        for (std::size_t j = 0; j < p.environment_variables->size(); ++j)
            lint_value((*p.environment_variables)[j], base + "/environmentVariables/" + std::to_string(j), issues);
    if (p.transport && p.transport->url)
        for (const auto& name : placeholders(*p.transport->url))
            if (!names.contains(name) && !(p.transport->variables && p.transport->variables->contains(name)))
                issues.push_back({base + "/transport/url", "undefined-variable",
                                  "{" + name + "} is used but no argument or variable defines it"});
    if (p.kind() == model::registry_kind::oci && p.identifier.find("://") != std::string::npos)
        issues.push_back({base + "/identifier", "oci-reference-with-scheme",
                          "an image reference has no URL scheme: " + p.identifier});
    if (p.kind() == model::registry_kind::mcpb && (!p.file_sha256 || p.file_sha256->empty()))
        issues.push_back(
            {base + "/fileSha256", "mcpb-without-hash", "an MCPB bundle cannot be verified without fileSha256"});
    lint_embedded_version(p, base, issues);
}

// `base` is the remote's JSON pointer ("/remotes/0").
void lint_remote(const model::transport& r, const std::string& base, std::vector<lint_issue>& issues)
{
    if (!r.url) return;
    for (const auto& name : placeholders(*r.url))
        if (!(r.variables && r.variables->contains(name)))
            issues.push_back(
                {base + "/url", "undefined-variable", "{" + name + "} is used but no variable defines it"});
    if (r.headers)
        for (std::size_t j = 0; j < r.headers->size(); ++j)
            lint_value((*r.headers)[j], base + "/headers/" + std::to_string(j), issues);
}

}  // namespace

std::vector<lint_issue> lint(const model::server& server)
{
    std::vector<lint_issue> issues;
    if (server.packages)
        for (std::size_t i = 0; i < server.packages->size(); ++i)
            lint_package((*server.packages)[i], "/packages/" + std::to_string(i), issues);
    if (server.remotes)
        for (std::size_t i = 0; i < server.remotes->size(); ++i)
            lint_remote((*server.remotes)[i], "/remotes/" + std::to_string(i), issues);
    return issues;
}

}  // namespace mcpreg::resolve
