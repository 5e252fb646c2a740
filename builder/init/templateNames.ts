/** The templates `osmose init --template` offers, the default first. */
export const templateNames = ['coworking', 'empty', 'grid'] as const;

export type TemplateName = (typeof templateNames)[number];
