package dev.presence.benchmarks.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of a sample. Not thread-safe. */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  void add(double v) {
    values.add(v);
  }

  int count() {
    return values.size();
  }

  double percentile(double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  double max() {
    return values.isEmpty() ? Double.NaN : Collections.max(values);
  }

  double sum() {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }

  @Override
  public String toString() {
    return String.format("p50 %.2f, p99 %.2f, max %.2f (n=%d)", percentile(50), percentile(99), max(), count());
  }
}
