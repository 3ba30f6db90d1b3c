import { registerEnumType } from 'type-graphql';

/** Each AI use is explicit; there is no "all" (DESIGN.md, Consent). Extend as the industry does. */
export const UseType = {
  TRAINING: 'TRAINING',
  FINE_TUNING: 'FINE_TUNING',
  VOICE_MODEL: 'VOICE_MODEL',
  STYLE_PROMPTING: 'STYLE_PROMPTING',
  STEM_SEPARATION: 'STEM_SEPARATION',
  FAN_REMIX: 'FAN_REMIX',
  INFERENCE_INPUT: 'INFERENCE_INPUT',
} as const;
export type UseType = (typeof UseType)[keyof typeof UseType];

registerEnumType(UseType, {
  name: 'UseType',
  valuesConfig: {
    TRAINING: { description: 'Training a model on the recording.' },
    FINE_TUNING: { description: 'Fine-tuning an existing model on the recording.' },
    VOICE_MODEL: { description: "Building a model of an artist's voice." },
    STYLE_PROMPTING: { description: 'Using the recording or artist as a style reference in prompts.' },
    STEM_SEPARATION: { description: 'Separating the recording into stems.' },
    FAN_REMIX: { description: 'Fan-made remixes generated with AI.' },
    INFERENCE_INPUT: { description: 'Feeding the recording to a model at inference time.' },
  },
});
