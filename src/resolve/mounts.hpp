// How a container option that mounts something is read: what it mounts, and why a mount of the host would
// expose it. Used by the runtime-option check (runtime_check.cpp). Private.
#pragma once

#include <mcpreg/resolve/resolve.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mcpreg::resolve::detail {

struct parsed_mount {
    mount what;
    std::optional<std::string> host_access;  ///< why it is refused without an opt-in
};

// `-v SOURCE:TARGET[:OPTIONS]`, `-v TARGET`. `home` is the user's home directory, which a bind may not expose.
parsed_mount volume_option(std::string_view value, std::string_view home);

// `--mount type=bind,source=/x,target=/y,readonly`.
parsed_mount mount_option(std::string_view value, std::string_view home);

}  // namespace mcpreg::resolve::detail
