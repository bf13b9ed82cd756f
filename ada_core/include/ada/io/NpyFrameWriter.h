#pragma once
// An .npy file that grows along its first axis, one frame at a time, and is a valid .npy file after every
// append: the frame's bytes are appended first, then the header's shape (F, ...) is rewritten in place and
// the stream flushed. The header block is sized for a 20-digit F, so rewriting never moves the data. A crash
// between the two writes leaves a header that counts one frame fewer than the file holds, which readers
// (numpy.load, readNpy) accept; appending to such a file first cuts the extra bytes off.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ada {

class NpyFrameWriter {
public:
    enum class Mode {
        Overwrite,  ///< start an empty array [0, ...]; an existing file is replaced only once the new one exists
        Append      ///< continue an existing array of the same dtype and frame shape (or start one if absent)
    };

    /**
     * Open `path` for frames of shape frameShape (e.g. {atoms, 3}) stored as dtype "<f4" or "<f8". Throws
     * SpecError naming the file when it cannot be created, or (Append) when the existing file is not an .npy
     * array of that dtype and frame shape, or is truncated.
     */
    NpyFrameWriter(std::string path, std::vector<int64_t> frameShape, Mode mode, std::string dtype = "<f4");
    ~NpyFrameWriter();
    NpyFrameWriter(const NpyFrameWriter&) = delete;
    NpyFrameWriter& operator=(const NpyFrameWriter&) = delete;

    /** Append one frame of prod(frameShape) values (row-major), then rewrite the header. */
    void append(const double* frame);
    /** The number of frames the file holds, those written before an Append included. */
    int64_t numFrames() const { return numFrames_; }
    int64_t frameSize() const { return frameSize_; }
    const std::string& path() const { return path_; }

private:
    void writeHeader();
    void openAppend();

    std::string path_, dtype_;
    std::vector<int64_t> frameShape_;
    int64_t frameSize_ = 1, numFrames_ = 0, dataOffset_ = 0;
    std::FILE* file_ = nullptr;
    std::vector<unsigned char> buffer_;
};

}  // namespace ada
