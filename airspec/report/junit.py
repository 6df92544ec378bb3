"""JUnit XML for CI test reports: one test case per linted file with no findings, one failing test case per
finding (its rule id and position in the name)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from airspec.report import Report


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="airspec lint")
    suite = ET.SubElement(suites, "testsuite", name="airspec lint")
    failures = 0
    by_file: dict[str, list[object]] = {f: [] for f in report.files}
    for d in report.findings:
        by_file.setdefault(d.span.file, []).append(d)
    tests = 0
    for file, found in by_file.items():
        if not found:
            ET.SubElement(suite, "testcase", classname=file, name=file)
            tests += 1
            continue
        for d in report.findings:
            if d.span.file != file:
                continue
            tests += 1
            failures += 1
            case = ET.SubElement(suite, "testcase", classname=file, name=f"{d.code} {d.span}")
            failure = ET.SubElement(case, "failure", type=d.severity, message=f"{d.code} {d.message}")
            rule = report.rule(d.code)
            failure.text = f"{d.span}: {d.severity} {d.code} {d.message}" + (
                f"\n\n{rule.summary}" if rule else ""
            )
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
