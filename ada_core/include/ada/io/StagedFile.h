#pragma once
// An output file written beside its destination and moved into place only when complete, so a failed or
// interrupted write never destroys an existing file: bytes go to "<path>.tmp-<pid>-<n>", commit() renames
// that over <path> (atomic on POSIX within one file system); an uncommitted staged file is deleted.
#include <cstdio>
#include <string>

namespace ada {

class StagedFile {
public:
    /** Opens the temporary file; throws SpecError naming `path` if it cannot be created. */
    explicit StagedFile(std::string path);
    ~StagedFile();
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    /** Append raw bytes; throws SpecError naming the destination on failure. */
    void write(const void* data, size_t bytes);
    /**
     * Flush and move the file into place. With keepOpen, the stream stays open on the renamed file (positioned
     * at its end) and is returned, owned by the caller; otherwise it is closed and nullptr returned.
     */
    std::FILE* commit(bool keepOpen = false);
    const std::string& path() const { return path_; }

private:
    std::string path_, temporary_;
    std::FILE* file_ = nullptr;
};

}  // namespace ada
