import { createTheme, type MantineColorsTuple } from '@mantine/core';

// A calm deep teal-blue: trustworthy without the loudness of a saturated brand blue.
const dure: MantineColorsTuple = [
  '#e7f5f9',
  '#d2e8ef',
  '#a2cfdf',
  '#6fb4cd',
  '#479dbd',
  '#2f8fb4',
  '#1f87b0',
  '#0f749a',
  '#00678a',
  '#00597a',
];

export const FONT_STACK = [
  'Pretendard',
  '"Pretendard Variable"',
  '-apple-system',
  'BlinkMacSystemFont',
  'system-ui',
  '"Apple SD Gothic Neo"',
  '"Malgun Gothic"',
  '"맑은 고딕"',
  '"Noto Sans KR"',
  '"Noto Sans CJK KR"',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  'sans-serif',
].join(', ');

export const theme = createTheme({
  primaryColor: 'dure',
  primaryShade: { light: 7, dark: 5 },
  colors: { dure },
  fontFamily: FONT_STACK,
  headings: { fontFamily: FONT_STACK, fontWeight: '700' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  components: {
    Button: { defaultProps: { radius: 'md' } },
    Card: { defaultProps: { radius: 'lg', withBorder: true, padding: 'lg' } },
    Paper: { defaultProps: { radius: 'lg' } },
  },
});
