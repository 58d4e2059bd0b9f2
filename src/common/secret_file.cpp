#include <mcpreg/secret_file.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace mcpreg {
namespace {

constexpr std::size_t max_secret_bytes = std::size_t{1} << 20;

error io_failure(const std::string& what, int code)
{
    return make_error(errc::io_error, what + ": " + std::strerror(code));
}

struct descriptor {
    int fd = -1;
    ~descriptor()
    {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

result<std::string> read_secret_file(const std::string& path)
{
    descriptor file{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
    if (file.fd < 0) {
        if (errno == ELOOP) return make_error(errc::io_error, path + " is a symbolic link; refused as a secret file");
        return io_failure("cannot open " + path, errno);
    }
    struct stat info {};
    if (::fstat(file.fd, &info) != 0) return io_failure("cannot inspect " + path, errno);
    if (!S_ISREG(info.st_mode)) return make_error(errc::io_error, path + " is not a regular file");
    if (info.st_uid != ::geteuid())
        return make_error(errc::io_error, path + " belongs to another user; refused as a secret file");
    if ((info.st_mode & 077) != 0)
        return make_error(errc::io_error, path + " is readable or writable by others (mode " +
                                              std::to_string(info.st_mode & 0777) +
                                              " in decimal); make it 0600 (chmod 600) or remove it");
    if (static_cast<std::size_t>(info.st_size) > max_secret_bytes)
        return make_error(errc::io_error, path + " is too large for a secret file");
    std::string content(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < content.size()) {
        const auto got = ::read(file.fd, content.data() + done, content.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return io_failure("cannot read " + path, got < 0 ? errno : EIO);
        done += static_cast<std::size_t>(got);
    }
    return content;
}

result<bool> write_secret_file(const std::string& path, std::string_view content, secret_write mode)
{
    const auto directory = std::filesystem::path(path).parent_path();
    std::string temporary = (directory.empty() ? std::string(".") : directory.string()) + "/.mcpreg-secret-XXXXXX";
    const mode_t old_mask = ::umask(077);
    descriptor file{::mkostemp(temporary.data(), O_CLOEXEC)};  // O_EXCL, a random name, mode 0600
    ::umask(old_mask);
    if (file.fd < 0) return io_failure("cannot create a file beside " + path, errno);
    struct cleanup {
        const std::string& name;
        bool keep = false;
        ~cleanup()
        {
            if (!keep) ::unlink(name.c_str());
        }
    } temporary_file{temporary};
    std::size_t done = 0;
    while (done < content.size()) {
        const auto wrote = ::write(file.fd, content.data() + done, content.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) return io_failure("cannot write " + temporary, wrote < 0 ? errno : EIO);
        done += static_cast<std::size_t>(wrote);
    }
    if (::fsync(file.fd) != 0) return io_failure("cannot flush " + temporary, errno);
    if (mode == secret_write::replace) {
        if (::rename(temporary.c_str(), path.c_str()) != 0)
            return io_failure("cannot move " + path + " into place", errno);
        temporary_file.keep = true;  // it is `path` now
        return true;
    }
    if (::link(temporary.c_str(), path.c_str()) != 0) {
        if (errno == EEXIST) return false;
        return io_failure("cannot create " + path, errno);
    }
    return true;  // the temporary name is removed; `path` keeps the file
}

}  // namespace mcpreg
