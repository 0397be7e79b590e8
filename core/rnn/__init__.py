"""Recurrent networks on sequences: the seed slide's SimpleRNN, three sequence tasks, live training and a look
inside (hidden states, LSTM gates, gradients through time)."""
