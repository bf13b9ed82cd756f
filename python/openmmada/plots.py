"""Pictures of openmm-ada reports.

``python -m openmmada.plots REPORT.json OUT.png`` draws the report `ada evaluate` writes (one panel per
observable component with the model's and the reference's histograms on common bins, titled with their
Jensen-Shannon divergence (nats) and W1 distance; for a sampler's report, `ada evaluate --energy`, the
energy and the interparticle distances, titled with geometric and energy W2) or the one `ada align` writes (kind "alignment": per 1-D
observable the base, aligned and experimental histograms, and the critic gaps and KL estimate per round, or
for expectation alignment, method "expectation", the largest moment gap per update).
"""
import json
import math
import sys


def plot_evaluation(report, path, title=None):
    """Draw an evaluation report (dict or path to its JSON) to ``path`` (PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    if not isinstance(report, dict):
        with open(report) as f:
            report = json.load(f)
    components = report["components"]
    if not components:
        raise ValueError("the report has no observable components to draw")
    columns = min(3, len(components))
    rows = math.ceil(len(components) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.4 * rows), squeeze=False)
    for ax, c in zip(axes.flat, components):
        edges = np.asarray(c["edges"])
        scale = 180 / math.pi if c.get("angle") else 1.0
        widths = np.diff(edges) * scale
        for key, label, style in (("p_reference", report.get("reference_label", "reference"), "-"),
                                  ("p_model", report.get("model_label", "model"), "--")):
            density = np.asarray(c[key]) / widths
            ax.stairs(density, edges * scale, label=label, linestyle=style, linewidth=1.6)
        unit = " (degrees)" if c.get("angle") else ""
        ax.set_xlabel(f"{c['name']}{unit}")
        ax.set_ylabel("density")
        heading = f"{c['name']}: JSD {c['jsd']:.4f}, W1 {c['w1']:.3g}"
        if c.get("outside_model", 0) > 0:
            heading += f"\n{c['outside_model']:.2%} of the model beyond the bins (in the edge bins)"
        ax.set_title(heading, fontsize=10)
    for ax in list(axes.flat)[len(components):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_alignment(report, path):
    """Draw an alignment report of `ada align` (dict or path to its JSON) to ``path`` (PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    if not isinstance(report, dict):
        with open(report) as f:
            report = json.load(f)
    panels = [o for o in report["observables"] if "edges" in o]
    count = len(panels) + 1
    columns = min(3, count)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.4 * rows), squeeze=False)
    for ax, o in zip(axes.flat, panels):
        edges = np.asarray(o["edges"])
        scale = 180 / math.pi if o.get("angle") else 1.0
        widths = np.diff(edges) * scale
        for key, label, style in (("p_experiment", "experiment", "-"), ("p_base", "base", ":"), ("p_aligned", "aligned", "--")):
            ax.stairs(np.asarray(o[key]) / widths, edges * scale, label=label, linestyle=style, linewidth=1.6)
        ax.set_xlabel(o["name"] + (" (degrees)" if o.get("angle") else ""))
        ax.set_ylabel("density")
        ax.set_title(f"{o['name']}: W1 {o['w1_base']:.3g} -> {o['w1_aligned']:.3g}", fontsize=10)
        ax.legend(fontsize=8)
    ax = list(axes.flat)[len(panels)]
    history = report["history"]
    if report.get("method") == "expectation":
        ax.semilogy([h["iteration"] for h in history], [max(h["max_gap"], 1e-16) for h in history], "k-o", markersize=3,
                    label="largest moment gap (standardised)")
        ax.set_xlabel("update")
        ax.set_title(f"EA, {report.get('moments')} moment(s), beta = {report.get('beta')}", fontsize=10)
    else:
        rounds = [h["round"] + 1 for h in history]
        for name in (history[0]["w1"] if history else {}):
            ax.plot(rounds, [h["w1"][name] for h in history], label=f"gap {name}")
        ax.plot(rounds, [h["kl"] for h in history], "k--", label="KL to base (bound)")
        ax.set_xlabel("round")
        ax.set_title(f"beta = {report.get('beta')}", fontsize=10)
    ax.legend(fontsize=8)
    for ax in list(axes.flat)[count:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m openmmada.plots REPORT.json OUT.png", file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        report = json.load(f)
    if report.get("kind") == "alignment":
        plot_alignment(report, argv[1])
    elif "geometric_w2" in report:
        plot_evaluation(report, argv[1], title=f"{report['energy']}: geometric W2 {report['geometric_w2']:.3f}, "
                                               f"energy W2 {report['energy_w2']:.3f}")
    else:
        plot_evaluation(report, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
