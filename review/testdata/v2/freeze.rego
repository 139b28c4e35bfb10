package gates.freeze
hold contains "frozen" if true
