// Secrets on disk (signing keys, token stores): the one way mcpreg reads and writes them. A shared directory
// is hostile ground: another user may have planted a file, a symbolic link or a predictable temporary name
// there, so files are created exclusively under random names readable by their owner only, and a secret file
// is read only when it is a regular file of ours that nobody else can read or change.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <string>
#include <string_view>

namespace mcpreg {

/// The content of a secret file. errc::io_error when it cannot be read, or when it is a symbolic link, not a
/// regular file, owned by another user, accessible to the group or to others, or larger than 1 MiB.
MCPREG_API result<std::string> read_secret_file(const std::string& path);

/// How write_secret_file treats a file already at the path.
enum class secret_write {
    create_only,  ///< leave it: the call returns false (another process created it first; read theirs)
    replace,      ///< replace it atomically (a symbolic link there is replaced, never followed)
};

/// Writes `content` to `path`, mode 0600: into a fresh file of a random name in the same directory (created
/// exclusively), flushed to disk, then linked (create_only) or renamed (replace) into place. True when the
/// file at `path` now holds `content`; false when create_only found a file there.
MCPREG_API result<bool> write_secret_file(const std::string& path, std::string_view content,
                                          secret_write mode = secret_write::create_only);

}  // namespace mcpreg
