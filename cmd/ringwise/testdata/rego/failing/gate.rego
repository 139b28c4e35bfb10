package gate

hold contains "frozen" if input.frozen
