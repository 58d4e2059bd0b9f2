// Bind mounts and volumes as docker and podman read them: which host path a mount reaches, and why that
// exposes the host. Lexical only: nothing on disk is read.
#include "mounts.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace mcpreg::resolve::detail {

namespace {

// `path` without `.`, `..` and repeated slashes, lexically (nothing on disk is read).
std::string normal_path(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const auto part = path.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        }
        else if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    std::string out;
    for (auto part : parts) out += "/" + std::string(part);
    return out.empty() ? "/" : out;
}

bool inside_or_same(std::string_view path, std::string_view dir)
{
    if (dir == "/") return true;
    return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

std::string lower_ascii(std::string text)
{
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

// Why a bind mount of the absolute host path `path` exposes the host; nullopt when it does not. A mount of a
// directory exposes everything below it, so a parent of a system directory (`/`, `/var`) counts as it. The
// comparison ignores case: macOS file systems do, and /ETC is /etc there.
std::optional<std::string> exposed_by(std::string_view path, std::string_view home)
{
    const auto p = lower_ascii(normal_path(path));
    static constexpr std::array<std::string_view, 21> system = {"/etc",
                                                                "/root",
                                                                "/proc",
                                                                "/sys",
                                                                "/dev",
                                                                "/boot",
                                                                "/run",
                                                                "/var/run",
                                                                "/var/lib/docker",
                                                                "/var/lib/containers",
                                                                "/var/lib/kubelet",
                                                                "/usr",
                                                                "/bin",
                                                                "/sbin",
                                                                "/lib",
                                                                "/lib32",
                                                                "/lib64",
                                                                "/private",
                                                                "/system",
                                                                "/library",
                                                                "/snap"};
    for (auto dir : system)
        if (inside_or_same(p, dir) || inside_or_same(dir, p)) return "it exposes the host's " + std::string(dir);
    // The home directories: all of them, or the user's own, or the hidden files in it (keys, tokens).
    for (std::string_view homes : {std::string_view("/home"), std::string_view("/users")})
        if (inside_or_same(homes, p)) return "it exposes every home directory";
    if (!home.empty() && home.front() == '/') {
        const auto h = lower_ascii(normal_path(home));
        if (inside_or_same(h, p)) return "it exposes the home directory";
        if (inside_or_same(p, h) && p.size() > h.size() + 1 && p[h.size() + 1] == '.')
            return "it exposes the hidden files of the home directory";
    }
    return std::nullopt;
}

bool volume_name(std::string_view text)
{
    if (text.empty() || !((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z') ||
                          (text[0] >= '0' && text[0] <= '9')))
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

void bind_source(parsed_mount& m, std::string_view source, std::string_view home)
{
    m.what.kind = "bind";
    m.what.host_path = std::string(source);
    if (source.empty() || source.front() != '/') {
        m.host_access = "its host path is not absolute (a relative path depends on where the runner starts)";
        return;
    }
    m.what.host_path = normal_path(source);
    // Any host path is the host's: a registry-chosen one could be a crontab, a web root or a key folder, and no
    // list of dangerous places is complete. The well-known ones get a sharper reason.
    m.host_access =
        exposed_by(source, home).value_or("it mounts the host's " + m.what.host_path + " into the container");
}

}  // namespace

// `-v SOURCE:TARGET[:OPTIONS]`, `-v TARGET`.
parsed_mount volume_option(std::string_view value, std::string_view home)
{
    parsed_mount m;
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto colon = value.find(':', start);
        parts.push_back(value.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() == 1) {
        m.what.kind = "volume";
        m.what.container_path = std::string(parts[0]);
        return m;
    }
    if (parts.size() > 3) {
        m.host_access = "mcpreg cannot read it as SOURCE:TARGET[:OPTIONS]";
        return m;
    }
    m.what.container_path = std::string(parts[1]);
    if (parts.size() == 3)
        for (std::size_t start = 0; start <= parts[2].size();) {
            const auto end = std::min(parts[2].find(',', start), parts[2].size());
            const auto flag = parts[2].substr(start, end - start);
            if (flag == "ro" || flag == "readonly") m.what.read_only = true;
            start = end + 1;
        }
    if (!parts[0].empty() && parts[0].front() == '/') bind_source(m, parts[0], home);
    else if (volume_name(parts[0])) {
        m.what.kind = "volume";
        m.what.host_path = std::string(parts[0]);
    }
    else m.host_access = "'" + std::string(parts[0]) + "' is neither an absolute host path nor a volume name";
    return m;
}

// `--mount type=bind,source=/x,target=/y,readonly`.
parsed_mount mount_option(std::string_view value, std::string_view home)
{
    parsed_mount m;
    std::string type = "volume";
    std::optional<std::string> source;
    for (std::size_t start = 0; start <= value.size();) {
        const auto end = std::min(value.find(',', start), value.size());
        const auto field = value.substr(start, end - start);
        start = end + 1;
        const auto eq = field.find('=');
        const auto key = field.substr(0, eq);
        const auto v = eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1);
        if (key == "type") type = std::string(v);
        else if (key == "source" || key == "src") source = std::string(v);
        else if (key == "target" || key == "destination" || key == "dst") m.what.container_path = std::string(v);
        else if (key == "readonly" || key == "ro")
            m.what.read_only = eq == std::string_view::npos || v == "true" || v == "1";
        else if (key == "volume-nocopy" || key == "volume-subpath" || key == "tmpfs-size" || key == "tmpfs-mode" ||
                 key == "consistency" || key == "bind-nonrecursive" || key == "bind-recursive" || field.empty())
            continue;
        else {
            // volume-opt can make a "volume" that is a bind of any host path; propagation reaches back to the host.
            m.host_access = "mount field '" + std::string(key) + "' is not one mcpreg knows to be safe";
            return m;
        }
    }
    if (type == "bind") bind_source(m, source.value_or(""), home);
    else if (type == "volume") {
        m.what.kind = "volume";
        m.what.host_path = source.value_or("");
        if (!m.what.host_path.empty() && !volume_name(m.what.host_path))
            m.host_access = "'" + m.what.host_path + "' is not a volume name";
    }
    else if (type == "tmpfs") m.what.kind = "tmpfs";
    else m.host_access = "mount type '" + type + "' is not one mcpreg knows to be safe";
    return m;
}

}  // namespace mcpreg::resolve::detail
