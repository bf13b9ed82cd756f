#pragma once
// Drawing a report JSON to a PNG with the openmmada Python package (python -m openmmada.plots), shared by the
// verbs that write reports.
#include <string>

/** The folder of the running `ada` executable (the virtual environment's bin/). */
std::string folderOfThisProgram();
/** Runs `<python> -m openmmada.plots report png` (python: the one next to ada when empty); throws SpecError. */
void drawReport(const std::string& report, const std::string& png, const std::string& python);
